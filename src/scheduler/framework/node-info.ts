/**
 * @module NodeInfo: a node with the aggregate state of the pods on it (requested resources, host
 * ports, pods with affinity, images), kept up to date incrementally by the cache, as upstream's.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { allocatableOf, emptyResource, type HostPort, type Labels, type PodInfo, type Resource } from './pod-info.js';

/** What ImageLocality needs about an image: its size and on how many nodes it is. */
export interface ImageStateSummary { size: number; numNodes: number }

export class NodeInfo {
  node?: Node;
  name: string;
  labels: Labels = {};
  taints: readonly Taint[] = [];
  unschedulable = false;
  allocatable: Resource = emptyResource();
  allowedPodNumber = 0;
  requested: Resource = emptyResource();
  nonZeroCPU = 0;
  nonZeroMemory = 0;
  pods: PodInfo[] = [];
  /**
   * Pods whose affinity weighs in scoring others: required affinity or preferred terms. (Required
   * anti-affinity of existing pods is counted by the cache's term groups instead.)
   */
  podsWithScoredAffinity: PodInfo[] = [];
  /** "protocol/port" → host IP → how many pods use it. */
  usedPorts = new Map<string, Map<string, number>>();
  /** Normalized image name → its summary (shared with the cache, which keeps numNodes current). */
  imageStates = new Map<string, ImageStateSummary>();

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = !!node.spec?.unschedulable;
    const a = allocatableOf(node.status?.allocatable as Record<string, string> | undefined);
    this.allocatable = a.resource;
    this.allowedPodNumber = a.pods;
  }

  addPod(p: PodInfo): void {
    this.pods.push(p);
    if (hasScoredAffinity(p)) this.podsWithScoredAffinity.push(p);
    this.account(p, 1);
  }

  /** Removes the pod with p's key; false when it is not here. */
  removePod(p: PodInfo): boolean {
    const i = this.pods.findIndex((x) => x.key === p.key);
    if (i < 0) return false;
    const old = this.pods[i];
    this.pods.splice(i, 1);
    removeByKey(this.podsWithScoredAffinity, old.key);
    this.account(old, -1);
    return true;
  }

  /** A copy whose pod lists and sums can change without touching this one (preemption's dry run). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.allocatable = this.allocatable;
    c.allowedPodNumber = this.allowedPodNumber;
    c.requested = { ...this.requested, scalar: new Map(this.requested.scalar) };
    c.nonZeroCPU = this.nonZeroCPU;
    c.nonZeroMemory = this.nonZeroMemory;
    c.pods = [...this.pods];
    c.podsWithScoredAffinity = [...this.podsWithScoredAffinity];
    c.usedPorts = new Map([...this.usedPorts].map(([k, v]) => [k, new Map(v)]));
    c.imageStates = this.imageStates;
    return c;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * p.requests.milliCPU;
    r.memory += sign * p.requests.memory;
    r.ephemeralStorage += sign * p.requests.ephemeralStorage;
    for (const [k, v] of p.requests.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
    this.nonZeroCPU += sign * p.nonZeroCPU;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      let ips = this.usedPorts.get(k);
      if (!ips) this.usedPorts.set(k, (ips = new Map()));
      const n = (ips.get(hp.ip) ?? 0) + sign;
      if (n > 0) ips.set(hp.ip, n); else ips.delete(hp.ip);
      if (ips.size === 0) this.usedPorts.delete(k);
    }
  }
}

export const hasScoredAffinity = (p: PodInfo) =>
  p.requiredAffinityTerms.length + p.preferredAffinityTerms.length + p.preferredAntiAffinityTerms.length > 0;

/** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every IP on the same protocol and port. */
export function portConflicts(used: ReadonlyMap<string, ReadonlyMap<string, number>>, hp: HostPort): boolean {
  const ips = used.get(`${hp.protocol}/${hp.port}`);
  if (!ips || ips.size === 0) return false;
  if (hp.ip === '0.0.0.0') return true;
  return ips.has('0.0.0.0') || ips.has(hp.ip);
}

function removeByKey(list: PodInfo[], key: string): void {
  const i = list.findIndex((x) => x.key === key);
  if (i >= 0) list.splice(i, 1);
}
