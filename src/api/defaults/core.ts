/**
 * @module core/v1 defaulting other than pods (SetDefaults_Service, _Namespace, _Secret, _PersistentVolume,
 * _PersistentVolumeClaim, _Endpoints, _NodeStatus, _LimitRangeItem), plus the few values upstream's
 * create strategies fill in before validation (namespace finalizer, service IP families).
 */
import type {
  Endpoints, LimitRange, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Secret, Service,
} from 'kubernetes-types/core/v1.js';

export function defaultService(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);
  if (external) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.type !== 'ExternalName') {
    spec.internalTrafficPolicy ??= 'Cluster';
    // The service registry's job upstream; single-stack IPv4 is the only mode served here.
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.ipFamilies ??= ['IPv4'];
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  }
}

/** The metadata.name label and the Active phase (SetDefaults_Namespace), and the kubernetes finalizer the strategy adds. */
export function defaultNamespace(ns: Namespace): void {
  const name = ns.metadata?.name;
  // A namespace created with generateName gets its label once named, in the server's update path.
  if (name) ns.metadata!.labels = { ...ns.metadata!.labels, 'kubernetes.io/metadata.name': name };
  const spec = (ns.spec ??= {});
  spec.finalizers ??= ['kubernetes'];
  const status = (ns.status ??= {});
  status.phase ||= 'Active';
}

/**
 * Opaque by default; stringData is merged into data (base64) and dropped, the conversion upstream
 * performs when decoding a v1 Secret.
 */
export function defaultSecret(s: Secret): void {
  s.type ||= 'Opaque';
  if (s.stringData) {
    s.data ??= {};
    for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete s.stringData;
  }
}

export function defaultPersistentVolume(pv: PersistentVolume): void {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ||= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  // status is read-only in the generated types; the phase starts Pending as the strategy sets it.
  if (!pv.status?.phase) Object.assign(pv, { status: { ...pv.status, phase: 'Pending' } });
}

export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  const spec = (pvc.spec ??= {});
  spec.volumeMode ??= 'Filesystem';
  if (!pvc.status?.phase) Object.assign(pvc, { status: { ...pvc.status, phase: 'Pending' } });
}

export function defaultEndpoints(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= 'TCP';
}

/** Allocatable defaults to capacity. */
export function defaultNode(node: Node): void {
  const status = node.status;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}

/** Container limit items: default limit ← max, default request ← default limit ← min. */
export function defaultLimitRange(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def = (item.default ??= { ...item.max });
    const req = (item.defaultRequest ??= { ...def });
    for (const [k, v] of Object.entries(item.max ?? {})) if (!Object.hasOwn(def, k)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!Object.hasOwn(req, k)) req[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!Object.hasOwn(req, k)) req[k] = v;
  }
}
