/**
 * @module The API objects that make the node agents' DNS servers a service: kube-system/kube-dns,
 * a selectorless ClusterIP service (labelled as k3s labels CoreDNS's, so `kubectl cluster-info`
 * lists it), and one EndpointSlice per node naming that node's server, owned by its Node.
 */
import { isIPv6 } from 'node:net';
import { isAlreadyExists, isConflict, isNotFound } from '../apimachinery/errors.js';
import type { Client, Obj } from '../client/client.js';
import { ref } from '../client/kind-ref.js';
import { ServiceNameLabel } from './record-index.js';

export const KubeDNSNamespace = 'kube-system';
export const KubeDNSName = 'kube-dns';
/**
 * The managed-by value of the node agents' slices; the endpointslice controller leaves them alone.
 * (Not "tugboat.io/node-agent": a label value may not hold a slash.)
 */
export const NodeAgentManager = 'node-agent.tugboat.io';
const ManagedByLabel = 'endpointslice.kubernetes.io/managed-by';
const FieldManager = 'tugboat-dns';

const serviceLabels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };
const servicePorts = [
  { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
  { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
];

/**
 * Creates kube-system/kube-dns at `clusterIP`, or fixes an existing one up to it (labels, type,
 * ports, no selector, internalTrafficPolicy Local). A cluster IP cannot change in place, so a
 * service at another IP is deleted and made again. Idempotent; API errors are thrown.
 */
export async function ensureKubeDNSService(client: Client, clusterIP: string): Promise<void> {
  const r = ref('Service', KubeDNSNamespace);
  for (let attempt = 0; ; attempt++) {
    let current: Obj | undefined;
    try {
      current = await client.get(r, KubeDNSName);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      if (!current) {
        await client.create(r, {
          apiVersion: 'v1', kind: 'Service',
          metadata: { name: KubeDNSName, namespace: KubeDNSNamespace, labels: serviceLabels },
          spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: servicePorts, internalTrafficPolicy: 'Local' },
        }, { fieldManager: FieldManager });
        return;
      }
      if (current.spec?.clusterIP !== clusterIP) {
        await client.delete(r, KubeDNSName, { preconditions: { uid: current.metadata.uid } });
        continue;
      }
      if (serviceUpToDate(current)) return;
      const next = structuredClone(current);
      next.metadata.labels = { ...next.metadata.labels, ...serviceLabels };
      delete next.spec.selector;
      Object.assign(next.spec, { type: 'ClusterIP', ports: servicePorts, internalTrafficPolicy: 'Local' });
      await client.update(r, next, { fieldManager: FieldManager });
      return;
    } catch (e) {
      // Another writer got there first (create race, conflict, gone): look again.
      if (attempt < 5 && (isAlreadyExists(e) || isNotFound(e) || isConflict(e))) continue;
      throw e;
    }
  }
}

function serviceUpToDate(svc: Obj): boolean {
  const spec = svc.spec ?? {};
  const ports = ((spec.ports ?? []) as Obj[]).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, targetPort: p.targetPort }));
  return spec.type === 'ClusterIP' && !spec.selector && spec.internalTrafficPolicy === 'Local' &&
    JSON.stringify(ports) === JSON.stringify(servicePorts) &&
    Object.entries(serviceLabels).every(([k, v]) => svc.metadata.labels?.[k] === v);
}

export interface NodeDNSEndpoint { nodeName: string; nodeUID: string; address: string; port: number }

/** The name of a node's kube-dns EndpointSlice. */
export const nodeSliceName = (nodeName: string) => `${KubeDNSName}-${nodeName}`;

/**
 * Creates or updates kube-system/kube-dns-<node>: one ready endpoint (this node's DNS server at
 * address:port) for ports dns/UDP and dns-tcp/TCP, owned by the Node so that the garbage
 * collector removes it with the node. Idempotent; API errors are thrown.
 */
export async function registerNodeDNSEndpoint(client: Client, o: NodeDNSEndpoint): Promise<void> {
  const r = ref('EndpointSlice', KubeDNSNamespace);
  const name = nodeSliceName(o.nodeName);
  const desired = {
    labels: { [ServiceNameLabel]: KubeDNSName, [ManagedByLabel]: NodeAgentManager },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: o.nodeName, uid: o.nodeUID }],
    addressType: isIPv6(o.address) ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [o.address], nodeName: o.nodeName, conditions: { ready: true, serving: true, terminating: false } }],
    ports: [{ name: 'dns', port: o.port, protocol: 'UDP' }, { name: 'dns-tcp', port: o.port, protocol: 'TCP' }],
  };
  for (let attempt = 0; ; attempt++) {
    let current: Obj | undefined;
    try {
      current = await client.get(r, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      if (!current) {
        await client.create(r, {
          apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
          metadata: { name, namespace: KubeDNSNamespace, labels: desired.labels, ownerReferences: desired.ownerReferences },
          addressType: desired.addressType, endpoints: desired.endpoints, ports: desired.ports,
        }, { fieldManager: FieldManager });
        return;
      }
      if (sliceUpToDate(current, desired)) return;
      // addressType is immutable: a slice of the other family is replaced.
      if (current.addressType !== desired.addressType) {
        await client.delete(r, name, { preconditions: { uid: current.metadata.uid } });
        continue;
      }
      const next = structuredClone(current);
      next.metadata.labels = { ...next.metadata.labels, ...desired.labels };
      next.metadata.ownerReferences = desired.ownerReferences;
      Object.assign(next, { endpoints: desired.endpoints, ports: desired.ports });
      await client.update(r, next, { fieldManager: FieldManager });
      return;
    } catch (e) {
      if (attempt < 5 && (isAlreadyExists(e) || isNotFound(e) || isConflict(e))) continue;
      throw e;
    }
  }
}

function sliceUpToDate(s: Obj, d: Obj): boolean {
  const owners = ((s.metadata.ownerReferences ?? []) as Obj[]).map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid }));
  const eps = ((s.endpoints ?? []) as Obj[]).map((e) => ({ addresses: e.addresses, nodeName: e.nodeName, conditions: e.conditions }));
  const ports = ((s.ports ?? []) as Obj[]).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol }));
  return s.addressType === d.addressType && JSON.stringify(owners) === JSON.stringify(d.ownerReferences) &&
    JSON.stringify(eps) === JSON.stringify(d.endpoints) && JSON.stringify(ports) === JSON.stringify(d.ports) &&
    Object.entries(d.labels as Record<string, string>).every(([k, v]) => s.metadata.labels?.[k] === v);
}
