/** @module Rows for core/v1 kinds other than pods: services, endpoints, nodes, namespaces, events, config, storage, quota. */
import type {
  ConfigMap, Endpoints, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, ResourceQuota, Secret, Service, ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import { formatLabels } from '../../apimachinery/labels/index.js';
import { parseQuantity, quantityString } from '../../apimachinery/quantity/index.js';
import { type TablePrinter, ageCol, col, nameCol, wide } from './columns.js';
import { since } from './duration.js';

/** Quantity.String() of a stored value; an unparsable one prints as stored. */
function qty(s: string | undefined): string {
  if (s == null) return '0';
  try {
    return quantityString(parseQuantity(s));
  } catch {
    return s;
  }
}

function externalIP(svc: Service): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP': case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter(Boolean))];
      if (external.length) return [...lb, ...external].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
  }
  return '<unknown>';
}

const ports = (svc: Service) =>
  (svc.spec?.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');

export const serviceTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageCol(),
    wide('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.'),
  ],
  rowCells(svc: Service, now) {
    return [svc.metadata?.name, svc.spec?.type ?? '', svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? '<none>', externalIP(svc),
      ports(svc) || '<none>', since(svc.metadata?.creationTimestamp, now), formatLabels(svc.spec?.selector)];
  },
};

/** formatEndpoints: up to three ip:port pairs, then "+ N more...". */
function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    // Headless services may have addresses without ports.
    const portList = ss.ports?.length ? ss.ports.map((p) => String(p.port)) : [undefined];
    for (const port of portList) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) break;
        list.push(port === undefined ? a.ip : a.ip.includes(':') ? `[${a.ip}]:${port}` : `${a.ip}:${port}`);
      }
    }
  }
  const ret = list.join(',');
  return count > list.length ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), ageCol()],
  rowCells: (ep: Endpoints, now) => [ep.metadata?.name, formatEndpoints(ep), since(ep.metadata?.creationTimestamp, now)],
};

function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

const nodeAddress = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const nodeTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageCol(),
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    wide('Internal-IP', 'string', 'List of addresses reachable to the node.'),
    wide('External-IP', 'string', 'List of addresses reachable to the node.'),
    wide('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
    wide('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    wide('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
  ],
  rowCells(node: Node, now) {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
    if (node.spec?.unschedulable) status.push('SchedulingDisabled');
    const info = node.status?.nodeInfo;
    return [node.metadata?.name, status.join(','), nodeRoles(node), since(node.metadata?.creationTimestamp, now), info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'), info?.osImage || '<unknown>', info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>'];
  },
};

export const namespaceTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Status', 'string', 'The status of the namespace'), ageCol()],
  rowCells: (ns: Namespace, now) => [ns.metadata?.name, ns.status?.phase ?? '', since(ns.metadata?.creationTimestamp, now)],
};

function eventSource(ev: Event): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventTable: TablePrinter = {
  columnDefinitions: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col('Object', 'string', 'The object that this event is about.'),
    wide('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].'),
    wide('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.'),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    wide('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    wide('Count', 'string', 'The number of times this event has occurred.'),
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 1 },
  ],
  rowCells(ev: Event, now) {
    const first = ev.firstTimestamp ? since(ev.firstTimestamp, now) : since(ev.eventTime, now);
    let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    if (ev.series) {
      last = since(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events from the new API carry no count
    }
    const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
    const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
    return [last, ev.type ?? '', ev.reason ?? '', target, ev.involvedObject?.fieldPath ?? '', eventSource(ev), (ev.message ?? '').trim(),
      first, count, ev.metadata?.name];
  },
};

export const configMapTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Data', 'string', 'Data contains the configuration data.'), ageCol()],
  rowCells: (cm: ConfigMap, now) =>
    [cm.metadata?.name, Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, since(cm.metadata?.creationTimestamp, now)],
};

export const secretTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    col('Data', 'string', 'Data contains the secret data.'), ageCol()],
  rowCells: (s: Secret, now) => [s.metadata?.name, s.type ?? '', Object.keys(s.data ?? {}).length, since(s.metadata?.creationTimestamp, now)],
};

export const serviceAccountTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageCol()],
  rowCells: (sa: ServiceAccount, now) => [sa.metadata?.name, sa.secrets?.length ?? 0, since(sa.metadata?.creationTimestamp, now)],
};

/** GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
function accessModes(modes: string[] | undefined): string {
  const m = new Set(modes ?? []);
  return ([['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']] as const)
    .filter(([mode]) => m.has(mode)).map(([, short]) => short).join(',');
}

const storageClassOf = (o: PersistentVolume | PersistentVolumeClaim) =>
  o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? o.spec?.storageClassName ?? '';

export const persistentVolumeTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageCol(),
    wide('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.'),
  ],
  rowCells(pv: PersistentVolume, now) {
    const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '';
    const phase = pv.metadata?.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '';
    return [pv.metadata?.name, qty(pv.spec?.capacity?.storage), accessModes(pv.spec?.accessModes), pv.spec?.persistentVolumeReclaimPolicy ?? '',
      phase, claim, storageClassOf(pv), pv.spec?.volumeAttributesClassName ?? '<unset>', pv.status?.reason ?? '',
      since(pv.metadata?.creationTimestamp, now), pv.spec?.volumeMode ?? '<unset>'];
  },
};

export const persistentVolumeClaimTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageCol(),
    wide('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.'),
  ],
  rowCells(pvc: PersistentVolumeClaim, now) {
    const bound = Boolean(pvc.spec?.volumeName);
    const phase = pvc.metadata?.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '';
    return [pvc.metadata?.name, phase, pvc.spec?.volumeName ?? '', bound ? qty(pvc.status?.capacity?.storage) : '',
      bound ? accessModes(pvc.status?.accessModes) : '', storageClassOf(pvc), pvc.spec?.volumeAttributesClassName ?? '<unset>',
      since(pvc.metadata?.creationTimestamp, now), pvc.spec?.volumeMode ?? '<unset>'];
  },
};

export const resourceQuotaTable: TablePrinter = {
  columnDefinitions: [
    nameCol(), ageCol(),
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  rowCells(rq: ResourceQuota, now) {
    const hard = rq.status?.hard ?? {};
    const used = rq.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      (r.split('.')[0] === 'limits' && r.includes('.') ? limits : requests).push(`${r}: ${qty(used[r])}/${qty(hard[r])}`);
    }
    return [rq.metadata?.name, since(rq.metadata?.creationTimestamp, now), requests.join(', '), limits.join(', ')];
  },
};
