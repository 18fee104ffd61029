/**
 * @module InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, and the
 * required anti-affinity of pods already running, per topology domain (filter); preferred terms
 * on both sides (plus existing pods' required affinity, weight 1) score nodes by domain.
 * PreFilter counts nothing itself: it reads the cache's per-domain counts of the pods each term
 * selects (kept between cycles), where upstream walks every node each cycle.
 */
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin, Snapshot } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { type AffinityTerm, type NamespaceLabels, type PodInfo, termKey, termMatches, type WeightedAffinityTerm } from '../../framework/pod-info.js';
import { SKIP, unresolvable, unschedulable } from '../../framework/status.js';

export const Name = 'InterPodAffinity';
export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

/** Weight of an existing pod's required affinity term when scoring (hardPodAffinityWeight). */
const HARD_POD_AFFINITY_WEIGHT = 1;
const PRE_FILTER_KEY = `PreFilter${Name}`;
const PRE_SCORE_KEY = `PreScore${Name}`;

interface DomainCounts { readonly key: string; readonly byValue: ReadonlyMap<string, number> }

/**
 * Counts per topology pair (key, value): the cache's live per-domain counts (read-only; several
 * may share a key) plus this state's own changes (preemption's and nominated pods' dry runs).
 */
class TopologyCounts {
  private empty?: boolean;
  private keyList?: string[];
  constructor(
    private readonly bases: readonly DomainCounts[] = [],
    /** topologyKey → value → change. */
    private readonly delta = new Map<string, Map<string, number>>(),
  ) {}

  /** Every topology key with a count. */
  keys(): readonly string[] {
    return (this.keyList ??= [...new Set([...this.bases.map((b) => b.key), ...this.delta.keys()])]);
  }

  get(key: string, value: string): number {
    let n = this.delta.size ? (this.delta.get(key)?.get(value) ?? 0) : 0;
    for (const b of this.bases) if (b.key === key) n += b.byValue.get(value) ?? 0;
    return n;
  }

  /** Adds delta to the pair of node's value for topologyKey (nothing when the node lacks the label). */
  add(node: NodeInfo, topologyKey: string, delta: number): void {
    const v = node.labels[topologyKey];
    if (v === undefined) return;
    let m = this.delta.get(topologyKey);
    if (!m) {
      this.delta.set(topologyKey, (m = new Map()));
      this.keyList = undefined;
    }
    m.set(v, (m.get(v) ?? 0) + delta);
    this.empty = undefined;
  }

  /** No pair has a positive count. */
  isEmpty(): boolean {
    if (this.empty === undefined) {
      const positive = (key: string, values: Iterable<string>) => { for (const v of values) if (this.get(key, v) > 0) return true; return false; };
      this.empty = !this.bases.some((b) => positive(b.key, b.byValue.keys())) && ![...this.delta].some(([k, m]) => positive(k, m.keys()));
    }
    return this.empty;
  }

  clone() { return new TopologyCounts(this.bases, new Map([...this.delta].map(([k, m]) => [k, new Map(m)]))); }
}

/** The pod matches every term (and there is at least one). Namespace labels are not consulted. */
function matchesAllTerms(terms: readonly AffinityTerm[], pod: PodInfo, nsLabels: NamespaceLabels): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod, nsLabels)) return false;
  return true;
}

class PreFilterState {
  constructor(
    readonly nsLabels: NamespaceLabels,
    /** Existing pods' anti-affinity terms that match the incoming pod. */
    readonly existingAntiAffinityCounts: TopologyCounts,
    /** Existing pods matching all of the incoming pod's affinity terms. */
    readonly affinityCounts: TopologyCounts,
    /** Existing pods matching each of the incoming pod's anti-affinity terms. */
    readonly antiAffinityCounts: TopologyCounts,
  ) {}

  clone() {
    return new PreFilterState(this.nsLabels, this.existingAntiAffinityCounts.clone(), this.affinityCounts.clone(), this.antiAffinityCounts.clone());
  }

  updateWithPod(incoming: PodInfo, p: PodInfo, node: NodeInfo, delta: number): void {
    for (const t of p.requiredAntiAffinityTerms) {
      if (termMatches(t, incoming, this.nsLabels)) this.existingAntiAffinityCounts.add(node, t.topologyKey, delta);
    }
    if (matchesAllTerms(incoming.requiredAffinityTerms, p, this.nsLabels)) {
      for (const t of incoming.requiredAffinityTerms) this.affinityCounts.add(node, t.topologyKey, delta);
    }
    for (const t of incoming.requiredAntiAffinityTerms) {
      if (termMatches(t, p, this.nsLabels)) this.antiAffinityCounts.add(node, t.topologyKey, delta);
    }
  }
}

class PreScoreState {
  constructor(readonly topologyScore: Map<string, Map<string, number>>) {}
  clone() { return this; }
}

const usesNamespaceLabels = (terms: readonly AffinityTerm[]) => terms.some((t) => !!t.namespaceSelector);

function preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot) {
  const nsLabels: NamespaceLabels = (ns) => snapshot.namespaceLabels(ns);
  const existingAnti: DomainCounts[] = [];
  let existingTerms = false;
  for (const { term, counts } of snapshot.antiAffinityTermGroups()) {
    existingTerms = true;
    if (termMatches(term, pod, nsLabels)) existingAnti.push({ key: term.topologyKey, byValue: counts.byDomain(term.topologyKey) });
  }
  const affinityTerms = pod.requiredAffinityTerms;
  if (affinityTerms.length === 0 && pod.requiredAntiAffinityTerms.length === 0 && !existingTerms) return SKIP;
  const affinity: DomainCounts[] = [];
  if (affinityTerms.length) {
    // Pods matching all the terms, counted under each term's topology key.
    const counts = snapshot.podCounts(`affinity|${affinityTerms.map(termKey).join('&')}`,
      (p) => matchesAllTerms(affinityTerms, p, nsLabels), { selector: affinityTerms[0].selector, usesNamespaceLabels: usesNamespaceLabels(affinityTerms) });
    for (const t of affinityTerms) affinity.push({ key: t.topologyKey, byValue: counts.byDomain(t.topologyKey) });
  }
  const anti = pod.requiredAntiAffinityTerms.map((t) => ({ key: t.topologyKey,
    byValue: snapshot.podCounts(`term|${termKey(t)}`, (p) => termMatches(t, p, nsLabels), { selector: t.selector, usesNamespaceLabels: !!t.namespaceSelector })
      .byDomain(t.topologyKey) }));
  state.write(PRE_FILTER_KEY, new PreFilterState(nsLabels, new TopologyCounts(existingAnti), new TopologyCounts(affinity), new TopologyCounts(anti)));
  return undefined;
}

function satisfyPodAffinity(s: PreFilterState, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of pod.requiredAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself may go anywhere when no pod matches yet.
  return s.affinityCounts.isEmpty() && matchesAllTerms(pod.requiredAffinityTerms, pod, () => undefined);
}

function satisfyPodAntiAffinity(s: PreFilterState, pod: PodInfo, node: NodeInfo): boolean {
  for (const t of pod.requiredAntiAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

function satisfyExistingPodsAntiAffinity(s: PreFilterState, node: NodeInfo): boolean {
  for (const k of s.existingAntiAffinityCounts.keys()) {
    const v = node.labels[k];
    if (v !== undefined && s.existingAntiAffinityCounts.get(k, v) > 0) return false;
  }
  return true;
}

function addScore(scores: Map<string, Map<string, number>>, node: NodeInfo, topologyKey: string, weight: number): void {
  const v = node.labels[topologyKey];
  if (v === undefined) return;
  let byValue = scores.get(topologyKey);
  if (!byValue) scores.set(topologyKey, (byValue = new Map()));
  byValue.set(v, (byValue.get(v) ?? 0) + weight);
}

function scoreTerms(scores: Map<string, Map<string, number>>, terms: readonly WeightedAffinityTerm[], target: PodInfo, node: NodeInfo,
  nsLabels: NamespaceLabels, sign: 1 | -1): void {
  for (const t of terms) if (termMatches(t, target, nsLabels)) addScore(scores, node, t.topologyKey, sign * t.weight);
}

function preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], snapshot: Snapshot) {
  const nsLabels: NamespaceLabels = (ns) => snapshot.namespaceLabels(ns);
  const hasPreferred = pod.preferredAffinityTerms.length + pod.preferredAntiAffinityTerms.length > 0;
  // Unless the incoming pod has preferences, only pods whose own affinity scores matter.
  const nodes = hasPreferred ? snapshot.nodes() : snapshot.nodesWithScoredAffinityPods();
  const scores = new Map<string, Map<string, number>>();
  for (const node of nodes) {
    for (const existing of hasPreferred ? node.pods : node.podsWithScoredAffinity) {
      scoreTerms(scores, pod.preferredAffinityTerms, existing, node, nsLabels, 1);
      scoreTerms(scores, pod.preferredAntiAffinityTerms, existing, node, nsLabels, -1);
      for (const t of existing.requiredAffinityTerms) {
        if (termMatches(t, pod, nsLabels)) addScore(scores, node, t.topologyKey, HARD_POD_AFFINITY_WEIGHT);
      }
      scoreTerms(scores, existing.preferredAffinityTerms, pod, node, nsLabels, 1);
      scoreTerms(scores, existing.preferredAntiAffinityTerms, pod, node, nsLabels, -1);
    }
  }
  if (scores.size === 0) return SKIP;
  state.write(PRE_SCORE_KEY, new PreScoreState(scores));
  return undefined;
}

export const New = () => ({
  name: Name,
  preFilter,
  extensions: {
    addPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo) {
      state.read<PreFilterState>(PRE_FILTER_KEY)?.updateWithPod(pod, toAdd, node, 1);
    },
    removePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo) {
      state.read<PreFilterState>(PRE_FILTER_KEY)?.updateWithPod(pod, toRemove, node, -1);
    },
  },
  filter(state: CycleState, pod, node) {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return undefined;
    if (!satisfyPodAffinity(s, pod, node)) return unresolvable(ErrReasonAffinityRulesNotMatch);
    if (!satisfyPodAntiAffinity(s, pod, node)) return unschedulable(ErrReasonAntiAffinityRulesNotMatch);
    if (!satisfyExistingPodsAntiAffinity(s, node)) return unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
    return undefined;
  },
  preScore,
  score(state: CycleState, _pod, node) {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s) return 0;
    let score = 0;
    for (const [k, byValue] of s.topologyScore) {
      const v = node.labels[k];
      if (v !== undefined) score += byValue.get(v) ?? 0;
    }
    return score;
  },
  normalizeScore(_state, _pod, scores: NodeScore[]) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) { min = Math.min(min, s.score); max = Math.max(max, s.score); }
    const diff = max - min;
    for (const s of scores) s.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s.score - min) / diff)) : 0;
  },
}) satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
