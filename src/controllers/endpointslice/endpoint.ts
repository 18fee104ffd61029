/**
 * @module One pod as an EndpointSlice endpoint, and the slice metadata the controller owns, as
 * upstream's endpointslice reconciler utils (podToEndpoint, getEndpointPorts, labels, keys).
 */
import type { Obj } from '../../client/client.js';
import { isPodReady } from '../controller-utils/pods.js';
import { findPort, HeadlessServiceLabel, isServiceIPSet, podIPs, shouldSetHostname } from '../controller-utils/service-endpoints.js';
import { isIPv6 } from 'node:net';

/** discovery.LabelServiceName. */
export const ServiceNameLabel = 'kubernetes.io/service-name';
/** discovery.LabelManagedBy. */
export const ManagedByLabel = 'endpointslice.kubernetes.io/managed-by';
/** The managed-by value of this controller (upstream's ControllerName). */
export const ControllerName = 'endpointslice-controller.k8s.io';
/** v1.LabelTopologyZone. */
export const ZoneLabel = 'topology.kubernetes.io/zone';

export type AddressType = 'IPv4' | 'IPv6';

/** getAddressTypesForService: from spec.ipFamilies, else the cluster IP's family, else both (headless). */
export function addressTypesForService(svc: Obj): AddressType[] {
  const families = (svc.spec?.ipFamilies ?? []) as string[];
  const types = (['IPv4', 'IPv6'] as const).filter((t) => families.includes(t));
  if (types.length) return types;
  if (isServiceIPSet(svc)) return [isIPv6(svc.spec.clusterIP) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** getEndpointPorts: the service's ports resolved in this pod; ports the pod lacks are left out. */
export function endpointPorts(svc: Obj, pod: Obj): Obj[] {
  const ports = (svc.spec?.ports ?? []) as Obj[];
  const out: Obj[] = [];
  for (const sp of ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: Obj = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** podToEndpoint: addresses of the family, conditions, targetRef, node, zone and hostname. */
export function podToEndpoint(pod: Obj, node: Obj | undefined, svc: Obj, addressType: AddressType): Obj {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // Ready is never true for a terminating pod, unless the service publishes not-ready addresses.
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Obj = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[ZoneLabel];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  return ep;
}

/** NewPortMapKey: one key for a set of ports, whatever their order. */
export function portMapKey(ports: Obj[] | undefined | null): string {
  return (ports ?? []).map((p) => JSON.stringify([p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? null]))
    .sort().join('|');
}

/** hashEndpoint: what identifies an endpoint across syncs (addresses, hostname, target pod). */
export function endpointKey(ep: Obj): string {
  return JSON.stringify([[...(ep.addresses ?? [])].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** EndpointsEqualBeyondHash: same node, zone, conditions, hints and target. */
export function endpointsEqualBeyondHash(a: Obj, b: Obj): boolean {
  const c = (e: Obj) => [e.conditions?.ready, e.conditions?.serving, e.conditions?.terminating];
  const ref = (e: Obj) => [e.targetRef?.kind, e.targetRef?.namespace, e.targetRef?.name, e.targetRef?.uid, e.targetRef?.resourceVersion];
  return (a.nodeName ?? null) === (b.nodeName ?? null) && (a.zone ?? null) === (b.zone ?? null) &&
    JSON.stringify(c(a)) === JSON.stringify(c(b)) && JSON.stringify(a.hints ?? null) === JSON.stringify(b.hints ?? null) &&
    JSON.stringify(ref(a)) === JSON.stringify(ref(b));
}

const reservedLabels = new Set([ServiceNameLabel, ManagedByLabel, HeadlessServiceLabel]);

/**
 * setEndpointSliceLabels: the service's labels (reserved keys skipped), the headless label for
 * services without a cluster IP, and the two reserved labels; `changed` when the copied service
 * labels differ from the slice's.
 */
export function sliceLabels(slice: Obj | undefined, svc: Obj): { labels: Record<string, string>; changed: boolean } {
  const own = (m: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => !reservedLabels.has(k)));
  const sliceCopy = own(slice?.metadata?.labels);
  const labels = own(svc.metadata?.labels);
  const changed = JSON.stringify(Object.entries(sliceCopy).sort()) !== JSON.stringify(Object.entries(labels).sort());
  if (!isServiceIPSet(svc)) labels[HeadlessServiceLabel] = '';
  labels[ServiceNameLabel] = svc.metadata.name;
  labels[ManagedByLabel] = ControllerName;
  return { labels, changed };
}

/** ownedBy: the slice names the service (by uid) as a v1 Service owner. */
export const ownedBy = (slice: Obj, svc: Obj): boolean =>
  ((slice.metadata?.ownerReferences ?? []) as Obj[]).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');

/** newEndpointSlice: generateName "<service>-", controller ownerReference to the service, no endpoints yet. */
export function newEndpointSlice(svc: Obj, ports: Obj[], addressType: AddressType): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace,
      labels: sliceLabels(undefined, svc).labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid,
        controller: true, blockOwnerDeletion: true }],
    },
    addressType, endpoints: [], ports,
  };
}
