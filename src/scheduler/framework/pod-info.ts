/**
 * @module PodInfo: a pod with what every cycle needs precomputed once (requests, host ports,
 * compiled affinity terms, priority), as the framework's PodInfo. The pod itself is the informer's
 * shared object: read-only.
 */
import type { Container, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { fromLabelSelector, matches, type Selector, selectorString } from '../../apimachinery/labels/index.js';
import { parseQuantity, milliValue, value } from '../../apimachinery/quantity/index.js';

export type Labels = Readonly<Record<string, string>>;

/** Resource amounts: milli-CPU, bytes, and named scalar resources (hugepages, extended resources). */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  scalar: Map<string, number>;
}

export const emptyResource = (): Resource => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() });

/** Requests defaulted for scoring when a container sets none (schedutil's DefaultMilliCPURequest/DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface HostPort { ip: string; protocol: string; port: number }

/** A compiled pod (anti-)affinity term. */
export interface AffinityTerm {
  selector: Selector;
  /** Namespaces named by the term, or the pod's own when it names none and has no namespaceSelector. */
  namespaces: ReadonlySet<string>;
  namespaceSelector?: Selector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm { weight: number }

export interface PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Labels;
  readonly priority: number;
  readonly requests: Resource;
  /** CPU and memory requests with containers' missing requests defaulted (for scoring). */
  readonly nonZeroCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  /** ms since epoch: status.startTime, else creation. */
  readonly startTime: number;
  readonly terminating: boolean;
}

/** Namespace labels by name, for terms with a namespaceSelector. */
export type NamespaceLabels = (namespace: string) => Labels | undefined;

/** AffinityTerm.Matches: the pod's namespace is selected and its labels match. */
export function termMatches(t: AffinityTerm, pod: PodInfo, nsLabels: NamespaceLabels): boolean {
  if (!t.namespaces.has(pod.namespace)) {
    if (!t.namespaceSelector) return false;
    const l = nsLabels(pod.namespace);
    if (!l || !matches(t.namespaceSelector, l)) return false;
  }
  return matches(t.selector, pod.labels);
}

const termKeys = new WeakMap<AffinityTerm, string>();

/** A stable identity of a term (for caches that group equal terms); computed once per term. */
export function termKey(t: AffinityTerm): string {
  let k = termKeys.get(t);
  if (k === undefined) {
    k = `${t.topologyKey}|${[...t.namespaces].sort().join(',')}|${t.namespaceSelector ? selectorString(t.namespaceSelector) : '-'}|${selectorString(t.selector)}`;
    termKeys.set(t, k);
  }
  return k;
}

/** Builds the PodInfo of pod. Throws (BadRequest) only for selectors validation would have rejected. */
export function newPodInfo(pod: Pod): PodInfo {
  const meta = pod.metadata ?? {};
  const namespace = meta.namespace ?? '';
  const name = meta.name ?? '';
  const spec = pod.spec;
  const { requests, nonZeroCPU, nonZeroMemory } = podRequests(pod);
  const aff = spec?.affinity;
  const required = (ts: PodAffinityTerm[] | undefined) => (ts ?? []).map((t) => compileTerm(t, namespace));
  const preferred = (ts: WeightedPodAffinityTerm[] | undefined) =>
    (ts ?? []).filter((w) => w.weight !== 0).map((w) => ({ ...compileTerm(w.podAffinityTerm, namespace), weight: w.weight }));
  const started = pod.status?.startTime ?? meta.creationTimestamp;
  return {
    pod, namespace, name,
    key: `${namespace}/${name}`,
    uid: meta.uid ?? '',
    labels: meta.labels ?? {},
    priority: spec?.priority ?? 0,
    requests, nonZeroCPU, nonZeroMemory,
    hostPorts: hostPortsOf(spec?.containers ?? []),
    requiredAffinityTerms: required(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinityTerms: required(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinityTerms: preferred(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: preferred(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    startTime: started ? Date.parse(started) : 0,
    terminating: !!meta.deletionTimestamp,
  };
}

function compileTerm(t: PodAffinityTerm, podNamespace: string): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  // An empty namespaces list with no namespaceSelector means "the pod's own namespace".
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(podNamespace);
  return {
    selector: fromLabelSelector(t.labelSelector ?? null),
    namespaces,
    namespaceSelector: t.namespaceSelector ? fromLabelSelector(t.namespaceSelector) : undefined,
    topologyKey: t.topologyKey,
  };
}

function hostPortsOf(containers: Container[]): HostPort[] {
  const out: HostPort[] = [];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

type ResourceList = Record<string, string> | undefined;

function addList(r: Resource, list: ResourceList): void {
  if (!list) return;
  for (const [k, v] of Object.entries(list)) addAmount(r, k, quantity(k, v));
}

function addAmount(r: Resource, name: string, amount: number): void {
  switch (name) {
    case 'cpu': r.milliCPU += amount; break;
    case 'memory': r.memory += amount; break;
    case 'ephemeral-storage': r.ephemeralStorage += amount; break;
    case 'pods': break;
    default: r.scalar.set(name, (r.scalar.get(name) ?? 0) + amount);
  }
}

/** A quantity as the scheduler counts it: milli-units for cpu, whole units (rounded up) otherwise. */
export function quantity(name: string, v: string | number): number {
  const q = parseQuantity(String(v));
  return name === 'cpu' ? milliValue(q) : value(q);
}

function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

function addInto(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + v);
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = emptyResource();
  const req = c.resources?.requests as ResourceList;
  addList(r, req);
  if (nonZero) {
    if (!req || req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!req || req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * resourcehelper.PodRequests: the sum of containers, at least the largest init container (plus the
 * restartable "sidecar" init containers started before it), plus pod overhead.
 */
function sumRequests(pod: Pod, nonZero: boolean): Resource {
  const spec = pod.spec;
  const reqs = emptyResource();
  for (const c of spec?.containers ?? []) addInto(reqs, containerRequests(c, nonZero));
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, r);
      addInto(sidecars, r);
      maxInto(initMax, sidecars);
    } else {
      addInto(r, sidecars);
      maxInto(initMax, r);
    }
  }
  maxInto(reqs, initMax);
  addList(reqs, spec?.overhead as ResourceList);
  return reqs;
}

export function podRequests(pod: Pod): { requests: Resource; nonZeroCPU: number; nonZeroMemory: number } {
  const requests = sumRequests(pod, false);
  const nz = sumRequests(pod, true);
  return { requests, nonZeroCPU: nz.milliCPU, nonZeroMemory: nz.memory };
}

/** Resource from a node's status.allocatable (with its pod count apart). */
export function allocatableOf(list: ResourceList): { resource: Resource; pods: number } {
  const r = emptyResource();
  addList(r, list);
  return { resource: r, pods: list?.pods !== undefined ? quantity('pods', list.pods) : 0 };
}
