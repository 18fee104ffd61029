/**
 * @module The scheduler cache: NodeInfos built from the node and pod informers, updated in place
 * per event (no per-cycle copies), with assumed pods counted from the moment a pod is bound
 * until the informer confirms it (assume/forget, as kube-scheduler's cache). It is also the
 * cycle's Snapshot: a cycle runs synchronously, so no event lands in the middle of one.
 */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Selector } from '../../apimachinery/labels/index.js';
import type { AntiAffinityTermGroup, PodCountsOptions, Snapshot } from '../framework/interface.js';
import { NodeCounts } from '../framework/node-counts.js';
import { hasScoredAffinity, type ImageStateSummary, NodeInfo } from '../framework/node-info.js';
import { type AffinityTerm, type Labels, newPodInfo, type PodInfo, termKey } from '../framework/pod-info.js';

interface PodState { info: PodInfo; node: NodeInfo; assumed: boolean }

interface ImageState { summary: ImageStateSummary; nodes: Set<string> }

interface TermGroup extends AntiAffinityTermGroup { readonly term: AffinityTerm; readonly counts: NodeCounts }

interface PodCounter { readonly counts: NodeCounts; readonly matches: (p: PodInfo) => boolean; readonly usesNamespaceLabels: boolean }

/** Pod counters kept at most (least recently used go first); each costs a predicate per pod change. */
const MAX_POD_COUNTERS = 256;

function sameLabels(a: Labels, b: Labels): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  for (const k of ak) if (a[k] !== b[k]) return false;
  return true;
}

const podKey = (pod: Pod) => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

export class Cache implements Snapshot {
  /** Every node by name, including placeholders (no Node yet, or deleted) that still hold pods. */
  private readonly infos = new Map<string, NodeInfo>();
  /** Nodes with a Node object, in a stable order (the snapshot's node list). */
  private readonly list: NodeInfo[] = [];
  private readonly listIndex = new Map<string, number>();
  private readonly pods = new Map<string, PodState>();
  /** "key=value" → pods with that label, for affinity and spread selectors. */
  private readonly labelIndex = new Map<string, Set<PodState>>();
  private readonly images = new Map<string, ImageState>();
  private readonly namespaces = new Map<string, Labels>();
  /** termKey → existing pods' required anti-affinity term and its count per node. */
  private readonly antiAffinityGroups = new Map<string, TermGroup>();
  /** Predicate key → its pod counts (Map order = least recently used first). */
  private readonly podCounters = new Map<string, PodCounter>();
  /** Each node with a Node object counted once: nodes per domain. */
  private readonly nodeCounts = new NodeCounts();
  private affinityDirty = true;
  private withScoredAffinity: NodeInfo[] = [];

  // --- Snapshot ---

  nodes(): readonly NodeInfo[] { return this.list; }

  get(name: string): NodeInfo | undefined {
    const n = this.infos.get(name);
    return n?.node ? n : undefined;
  }

  nodesWithScoredAffinityPods(): readonly NodeInfo[] {
    if (this.affinityDirty) {
      this.withScoredAffinity = this.list.filter((n) => n.podsWithScoredAffinity.length > 0);
      this.affinityDirty = false;
    }
    return this.withScoredAffinity;
  }

  antiAffinityTermGroups(): Iterable<AntiAffinityTermGroup> { return this.antiAffinityGroups.values(); }

  *candidatePods(term: { selector: Selector }): Iterable<{ pod: PodInfo; node: NodeInfo }> {
    for (const st of this.candidateStates(term.selector)) if (st.node.node) yield { pod: st.info, node: st.node };
  }

  /** Pods that may match selector (every pod, placeholders' too, when no equality narrows it). */
  private *candidateStates(selector: Selector): Iterable<PodState> {
    if (selector.nothing) return;
    // The smallest posting list of an equality/in requirement narrows the search; others scan all.
    let best: Iterable<PodState> | undefined;
    let bestSize = Infinity;
    for (const r of selector.requirements) {
      if (r.operator !== '=' && r.operator !== '==' && r.operator !== 'in') continue;
      const sets = r.values.map((v) => this.labelIndex.get(`${r.key}=${v}`)).filter((s): s is Set<PodState> => !!s);
      const size = sets.reduce((n, s) => n + s.size, 0);
      if (size === 0) return;
      if (size < bestSize) {
        bestSize = size;
        best = sets.length === 1 ? sets[0] : sets.flatMap((s) => [...s]);
      }
    }
    yield* best ?? this.pods.values();
  }

  podCounts(key: string, matches: (p: PodInfo) => boolean, opts: PodCountsOptions = {}): NodeCounts {
    let c = this.podCounters.get(key);
    if (c) {
      this.podCounters.delete(key);
    } else {
      c = { counts: new NodeCounts(), matches, usesNamespaceLabels: !!opts.usesNamespaceLabels };
      const pods = opts.selector ? [...this.candidateStates(opts.selector)] : this.pods.values();
      for (const st of pods) if (matches(st.info)) c.counts.add(st.node, 1);
      if (this.podCounters.size >= MAX_POD_COUNTERS) this.podCounters.delete(this.podCounters.keys().next().value!);
    }
    this.podCounters.set(key, c);
    return c.counts;
  }

  nodeDomains(topologyKey: string): ReadonlyMap<string, number> { return this.nodeCounts.byDomain(topologyKey); }

  namespaceLabels(namespace: string): Labels | undefined { return this.namespaces.get(namespace); }

  // --- nodes ---

  /** Adds or replaces a node (informer add/update). */
  setNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    let info = this.infos.get(name);
    if (!info) this.infos.set(name, (info = new NodeInfo(name)));
    const had = !!info.node;
    const relabel = !had || !sameLabels(info.labels, node.metadata?.labels ?? {});
    if (had) this.removeImages(info);
    // Domain sums follow the node's labels: out under the old ones, back in under the new.
    if (had && relabel) this.moveNodeInCounts(info, -1);
    if (!had) this.nodeCounts.add(info, 1);
    info.setNode(node);
    if (relabel) this.moveNodeInCounts(info, 1);
    this.addImages(info, node);
    if (!this.listIndex.has(name)) {
      this.listIndex.set(name, this.list.length);
      this.list.push(info);
    }
    this.affinityDirty = true;
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const info = this.infos.get(name);
    if (!info) return;
    this.removeImages(info);
    if (info.node) {
      this.moveNodeInCounts(info, -1);
      info.node = undefined;
      this.nodeCounts.add(info, -1);
    }
    const i = this.listIndex.get(name);
    if (i !== undefined) {
      // Swap-remove keeps the list dense; order among the rest changes only for the moved node.
      const last = this.list.pop()!;
      if (last !== info) {
        this.list[i] = last;
        this.listIndex.set(last.name, i);
      }
      this.listIndex.delete(name);
    }
    // Pods still bound to the node keep a placeholder until they go.
    if (!info.pods.length) this.infos.delete(name);
    this.affinityDirty = true;
  }

  // --- pods ---

  /** An assigned pod from the informer (add or update); confirms an assumed pod. */
  setPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const key = podKey(pod);
    const old = this.pods.get(key);
    if (old) this.detach(old);
    this.attach(newPodInfo(pod), nodeName, false);
  }

  removePod(pod: Pod): void {
    const st = this.pods.get(podKey(pod));
    if (st) this.detach(st);
  }

  /** Counts pod on nodeName before the binding is confirmed. */
  assumePod(info: PodInfo, nodeName: string): void {
    const old = this.pods.get(info.key);
    if (old) this.detach(old);
    this.attach(info, nodeName, true);
  }

  /** Drops an assumption (binding failed); a confirmed pod stays. */
  forgetPod(info: PodInfo): void {
    const st = this.pods.get(info.key);
    if (st?.assumed) this.detach(st);
  }

  // --- namespaces (for namespaceSelector in affinity terms) ---

  setNamespace(ns: Namespace): void {
    this.namespaces.set(ns.metadata?.name ?? '', ns.metadata?.labels ?? {});
    this.dropNamespaceCounters();
  }

  removeNamespace(ns: Namespace): void {
    this.namespaces.delete(ns.metadata?.name ?? '');
    this.dropNamespaceCounters();
  }

  private dropNamespaceCounters(): void {
    for (const [k, c] of this.podCounters) if (c.usesNamespaceLabels) this.podCounters.delete(k);
  }

  private moveNodeInCounts(info: NodeInfo, sign: 1 | -1): void {
    this.nodeCounts.moveNode(info, sign);
    for (const c of this.podCounters.values()) c.counts.moveNode(info, sign);
    for (const g of this.antiAffinityGroups.values()) g.counts.moveNode(info, sign);
  }

  private attach(info: PodInfo, nodeName: string, assumed: boolean): void {
    let node = this.infos.get(nodeName);
    if (!node) this.infos.set(nodeName, (node = new NodeInfo(nodeName)));
    node.addPod(info);
    const st: PodState = { info, node, assumed };
    this.pods.set(info.key, st);
    for (const [k, v] of Object.entries(info.labels)) {
      const lk = `${k}=${v}`;
      let set = this.labelIndex.get(lk);
      if (!set) this.labelIndex.set(lk, (set = new Set()));
      set.add(st);
    }
    if (hasScoredAffinity(info)) this.affinityDirty = true;
    this.countAntiAffinityTerms(info, node, 1);
    for (const c of this.podCounters.values()) if (c.matches(info)) c.counts.add(node, 1);
  }

  private detach(st: PodState): void {
    st.node.removePod(st.info);
    this.pods.delete(st.info.key);
    for (const [k, v] of Object.entries(st.info.labels)) {
      const lk = `${k}=${v}`;
      const set = this.labelIndex.get(lk);
      set?.delete(st);
      if (set?.size === 0) this.labelIndex.delete(lk);
    }
    if (!st.node.node && st.node.pods.length === 0) this.infos.delete(st.node.name);
    if (hasScoredAffinity(st.info)) this.affinityDirty = true;
    this.countAntiAffinityTerms(st.info, st.node, -1);
    for (const c of this.podCounters.values()) if (c.matches(st.info)) c.counts.add(st.node, -1);
  }

  private countAntiAffinityTerms(info: PodInfo, node: NodeInfo, delta: 1 | -1): void {
    for (const term of info.requiredAntiAffinityTerms) {
      const key = termKey(term);
      let g = this.antiAffinityGroups.get(key);
      if (!g) this.antiAffinityGroups.set(key, (g = { term, counts: new NodeCounts() }));
      g.counts.add(node, delta);
      if (g.counts.perNode.size === 0) this.antiAffinityGroups.delete(key);
    }
  }

  private addImages(info: NodeInfo, node: Node): void {
    info.imageStates = new Map();
    for (const image of node.status?.images ?? []) {
      for (const name of image.names ?? []) {
        let st = this.images.get(name);
        if (!st) this.images.set(name, (st = { summary: { size: image.sizeBytes ?? 0, numNodes: 0 }, nodes: new Set() }));
        st.nodes.add(info.name);
        st.summary.numNodes = st.nodes.size;
        info.imageStates.set(name, st.summary);
      }
    }
  }

  private removeImages(info: NodeInfo): void {
    for (const name of info.imageStates.keys()) {
      const st = this.images.get(name);
      if (!st) continue;
      st.nodes.delete(info.name);
      st.summary.numNodes = st.nodes.size;
      if (st.nodes.size === 0) this.images.delete(name);
    }
    info.imageStates = new Map();
  }
}
