/**
 * @module What the Endpoints and EndpointSlice controllers share (upstream endpointslice/util and
 * podutil.FindPort): which pods a service selects, which of them belong in its endpoints, target
 * port resolution, and which services a pod change concerns.
 */
import type { Obj } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { keyOf } from '../../client/informer.js';
import { isPodReady } from './pods.js';

/** v1.IsHeadlessService: the label on endpoints of services without a cluster IP. */
export const HeadlessServiceLabel = 'service.kubernetes.io/headless';

/**
 * The service's selector, or undefined when it has none (such services get no endpoints from the
 * controllers; an empty selector reads back as none, as it does from upstream's protobuf store).
 */
export function serviceSelector(svc: Obj): Record<string, string> | undefined {
  const sel = svc.spec?.selector as Record<string, string> | undefined;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

/** Whether the map selector matches the labels (labels.Set(selector).AsSelector().Matches). */
export function selectsLabels(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The pods of the service's namespace that its selector matches (none without a selector). */
export function podsForService(pods: Informer, svc: Obj): Obj[] {
  const sel = serviceSelector(svc);
  if (!sel) return [];
  return pods.list(svc.metadata.namespace).filter((p) => selectsLabels(sel, p.metadata?.labels));
}

/** helper.IsServiceIPSet: a cluster IP that is neither empty nor "None". */
export const isServiceIPSet = (svc: Obj): boolean => !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';

/** podutil.IsPodTerminal: Succeeded or Failed. */
export const isPodTerminal = (pod: Obj): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** The pod's IPs: status.podIPs, or status.podIP for writers that set only that. */
export function podIPs(pod: Obj): string[] {
  const ips = (pod.status?.podIPs as { ip: string }[] | undefined)?.map((p) => p.ip).filter(Boolean) ?? [];
  if (ips.length) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/**
 * ShouldPodBeInEndpoints: not terminal, has an IP, and (unless includeTerminating) is not being
 * deleted.
 */
export function shouldPodBeInEndpoints(pod: Obj, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod names a hostname and the service as its subdomain. */
export const shouldSetHostname = (pod: Obj, svc: Obj): boolean =>
  !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata.name && pod.metadata?.namespace === svc.metadata.namespace;

/**
 * podutil.FindPort: the container port a service port targets in this pod — a number as is, a
 * name looked up (same protocol) in the containers' ports and then in sidecar init containers'.
 * Undefined when the pod has no such named port.
 */
export function findPort(pod: Obj, servicePort: Obj): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  const sidecars = ((pod.spec?.initContainers ?? []) as Obj[]).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...((pod.spec?.containers ?? []) as Obj[]), ...sidecars]) {
    for (const p of (c.ports ?? []) as Obj[]) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** GetPodServiceMemberships: keys of the services in the pod's namespace that select it. */
export function podServiceMemberships(services: Informer, pod: Obj): Set<string> {
  const out = new Set<string>();
  for (const svc of services.list(pod.metadata?.namespace ?? '')) {
    const sel = serviceSelector(svc);
    if (sel && selectsLabels(sel, pod.metadata?.labels)) out.add(keyOf(svc));
  }
  return out;
}

/**
 * GetServicesToUpdateOnPodChange: nothing when the pod changed in no way endpoints show; the
 * services of the old and new labels when labels changed; else the pod's services.
 */
export function servicesToUpdateOnPodChange(services: Informer, old: Obj, cur: Obj): Set<string> {
  if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return new Set();
  const labelsChanged = !sameStringMap(old.metadata?.labels, cur.metadata?.labels);
  if (!labelsChanged && !podEndpointsChanged(old, cur)) return new Set();
  const out = podServiceMemberships(services, cur);
  if (labelsChanged) for (const k of podServiceMemberships(services, old)) out.add(k);
  return out;
}

/** podEndpointsChanged: a change that the pod's endpoint entries reflect. */
export function podEndpointsChanged(old: Obj, cur: Obj): boolean {
  if (!!old.metadata?.deletionTimestamp !== !!cur.metadata?.deletionTimestamp) return true;
  if (isPodReady(old) !== isPodReady(cur)) return true;
  if (isPodTerminal(old) !== isPodTerminal(cur)) return true;
  if (podIPs(old).join(',') !== podIPs(cur).join(',')) return true;
  return old.spec?.nodeName !== cur.spec?.nodeName || old.spec?.hostname !== cur.spec?.hostname ||
    old.spec?.subdomain !== cur.spec?.subdomain;
}

function sameStringMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => a![k] === b?.[k]);
}
