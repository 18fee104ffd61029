/**
 * @module The scheme: every API group, version and resource the server serves, registered in
 * one place. A later group (CRDs, rollouts, …) adds itself here with `register`; discovery,
 * routing, storage keys and OpenAPI all read from this table.
 */

export interface ScaleSubresource {
  /** JSON path (dot-separated) of the desired replicas in the object. */
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Where the label selector lives (status.selector for Deployment-like kinds, as string). */
  labelSelectorPath?: string;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural, lower-case: the URL segment. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs served on the main resource (default: all of them). */
  verbs?: string[];
  /** Has a /status subresource: status is written only there, and spec only on the main resource. */
  status?: boolean;
  scale?: ScaleSubresource;
  /** Extra subresources handled by special handlers (binding, eviction, log, exec, …). */
  subresources?: string[];
  /** metadata.generation is bumped on changes outside metadata and status. */
  generation?: boolean;
  /**
   * Computed on each request (metrics.k8s.io, from the node agents), not kept in the store: served by
   * its own handler, listed by discovery, left out of allTypes().
   */
  computed?: boolean;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const types: ResourceType[] = [];
const stored: ResourceType[] = [];
const byGVR = new Map<string, ResourceType>();
const byGVK = new Map<string, ResourceType>();

export const gvString = (group: string, version: string) => (group ? `${group}/${version}` : version);

/** Adds a resource type; the first registered version of a group is its preferred version. */
export function register(t: ResourceType): ResourceType {
  const gv = gvString(t.group, t.version);
  if (byGVR.has(`${gv}|${t.resource}`)) throw new Error(`resource ${t.resource} in ${gv} registered twice`);
  types.push(t);
  if (!t.computed) stored.push(t);
  byGVR.set(`${gv}|${t.resource}`, t);
  byGVK.set(`${gv}|${t.kind}`, t);
  return t;
}

/** Every type kept in the store: what storage, controllers and the OpenAPI documents iterate. */
export const allTypes = (): readonly ResourceType[] => stored;
/** Every type served, stored or computed: what discovery lists. */
export const servedTypes = (): readonly ResourceType[] => types;
export const lookupResource = (group: string, version: string, resource: string) =>
  byGVR.get(`${gvString(group, version)}|${resource}`);
export const lookupKind = (apiVersion: string, kind: string) => byGVK.get(`${apiVersion}|${kind}`);
export const apiVersionOf = (t: ResourceType) => gvString(t.group, t.version);

/** Groups in registration order with their versions, core ("") first. */
export function groups(): { name: string; versions: string[] }[] {
  const out: { name: string; versions: string[] }[] = [];
  for (const t of types) {
    let g = out.find((x) => x.name === t.group);
    if (!g) out.push((g = { name: t.group, versions: [] }));
    if (!g.versions.includes(t.version)) g.versions.push(t.version);
  }
  return out;
}

/** The store key of an object (or the prefix of a namespace or a whole resource when name/ns are omitted). */
export function storageKey(t: ResourceType, namespace?: string, name?: string): string {
  // Core resources keep Kubernetes' own layout (/registry/pods/…); other groups are prefixed so
  // that equal plural names in two groups (events, events.k8s.io) never share keys.
  let key = t.group ? `/registry/${t.group}/${t.resource}/` : `/registry/${t.resource}/`;
  if (t.namespaced && namespace) key += `${namespace}/`;
  if (name) key += name;
  return key;
}

const core = (t: Omit<ResourceType, 'group' | 'version'>) => register({ group: '', version: 'v1', ...t });
const inGroup = (group: string, version: string) => (t: Omit<ResourceType, 'group' | 'version'>) =>
  register({ group, version, ...t });

// core/v1
core({ kind: 'Namespace', resource: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'], status: true,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['finalize'] });
core({ kind: 'Pod', resource: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], status: true,
  subresources: ['binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy'] });
core({ kind: 'Service', resource: 'services', singular: 'service', namespaced: true, shortNames: ['svc'], categories: ['all'],
  status: true, subresources: ['proxy'] });
core({ kind: 'Endpoints', resource: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'] });
core({ kind: 'ConfigMap', resource: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'] });
core({ kind: 'Secret', resource: 'secrets', singular: 'secret', namespaced: true });
core({ kind: 'Node', resource: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'], status: true, subresources: ['proxy'] });
core({ kind: 'Event', resource: 'events', singular: 'event', namespaced: true, shortNames: ['ev'] });
core({ kind: 'ServiceAccount', resource: 'serviceaccounts', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'] });
core({ kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', namespaced: true,
  shortNames: ['pvc'], status: true });
core({ kind: 'PersistentVolume', resource: 'persistentvolumes', singular: 'persistentvolume', namespaced: false,
  shortNames: ['pv'], status: true });
core({ kind: 'ResourceQuota', resource: 'resourcequotas', singular: 'resourcequota', namespaced: true, shortNames: ['quota'], status: true });
core({ kind: 'LimitRange', resource: 'limitranges', singular: 'limitrange', namespaced: true, shortNames: ['limits'] });

// apps/v1
const apps = inGroup('apps', 'v1');
const replicasScale = { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' };
apps({ kind: 'Deployment', resource: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'],
  categories: ['all'], status: true, scale: replicasScale, generation: true });
apps({ kind: 'ReplicaSet', resource: 'replicasets', singular: 'replicaset', namespaced: true, shortNames: ['rs'],
  categories: ['all'], status: true, scale: replicasScale, generation: true });
apps({ kind: 'DaemonSet', resource: 'daemonsets', singular: 'daemonset', namespaced: true, shortNames: ['ds'],
  categories: ['all'], status: true, generation: true });
apps({ kind: 'StatefulSet', resource: 'statefulsets', singular: 'statefulset', namespaced: true, shortNames: ['sts'],
  categories: ['all'], status: true, scale: replicasScale, generation: true });
apps({ kind: 'ControllerRevision', resource: 'controllerrevisions', singular: 'controllerrevision', namespaced: true });

// batch/v1
const batch = inGroup('batch', 'v1');
batch({ kind: 'Job', resource: 'jobs', singular: 'job', namespaced: true, categories: ['all'], status: true, generation: true });
batch({ kind: 'CronJob', resource: 'cronjobs', singular: 'cronjob', namespaced: true, shortNames: ['cj'], categories: ['all'],
  status: true, generation: true });

// networking.k8s.io/v1
const networking = inGroup('networking.k8s.io', 'v1');
networking({ kind: 'Ingress', resource: 'ingresses', singular: 'ingress', namespaced: true, shortNames: ['ing'], status: true, generation: true });
networking({ kind: 'IngressClass', resource: 'ingressclasses', singular: 'ingressclass', namespaced: false, generation: true });
networking({ kind: 'NetworkPolicy', resource: 'networkpolicies', singular: 'networkpolicy', namespaced: true,
  shortNames: ['netpol'], generation: true });

inGroup('coordination.k8s.io', 'v1')({ kind: 'Lease', resource: 'leases', singular: 'lease', namespaced: true });
inGroup('discovery.k8s.io', 'v1')({ kind: 'EndpointSlice', resource: 'endpointslices', singular: 'endpointslice', namespaced: true });
inGroup('events.k8s.io', 'v1')({ kind: 'Event', resource: 'events', singular: 'event', namespaced: true, shortNames: ['ev'] });
inGroup('policy', 'v1')({ kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget',
  namespaced: true, shortNames: ['pdb'], status: true, generation: true });
inGroup('scheduling.k8s.io', 'v1')({ kind: 'PriorityClass', resource: 'priorityclasses', singular: 'priorityclass',
  namespaced: false, shortNames: ['pc'] });

const rbac = inGroup('rbac.authorization.k8s.io', 'v1');
rbac({ kind: 'Role', resource: 'roles', singular: 'role', namespaced: true });
rbac({ kind: 'RoleBinding', resource: 'rolebindings', singular: 'rolebinding', namespaced: true });
rbac({ kind: 'ClusterRole', resource: 'clusterroles', singular: 'clusterrole', namespaced: false });
rbac({ kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false });

// metrics.k8s.io/v1beta1, as metrics-server serves it: computed from the node agents' resource metrics.
const metrics = inGroup('metrics.k8s.io', 'v1beta1');
metrics({ kind: 'NodeMetrics', resource: 'nodes', singular: 'node', namespaced: false, verbs: ['get', 'list'], computed: true });
metrics({ kind: 'PodMetrics', resource: 'pods', singular: 'pod', namespaced: true, verbs: ['get', 'list'], computed: true });
