/**
 * @module InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, and the
 * required anti-affinity of pods already running, per topology domain (filter); preferred terms
 * on both sides (plus existing pods' required affinity, weight 1) score nodes by domain.
 */
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin, Snapshot } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { type AffinityTerm, type NamespaceLabels, type PodInfo, termMatches, type WeightedAffinityTerm } from '../../framework/pod-info.js';
import { SKIP, unresolvable, unschedulable } from '../../framework/status.js';

export const Name = 'InterPodAffinity';
export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

/** Weight of an existing pod's required affinity term when scoring (hardPodAffinityWeight). */
const HARD_POD_AFFINITY_WEIGHT = 1;
const PRE_FILTER_KEY = `PreFilter${Name}`;
const PRE_SCORE_KEY = `PreScore${Name}`;

/** Counts per topology pair, keyed "key\0value". */
type PairCounts = Map<string, number>;
const pairKey = (k: string, v: string) => `${k}\0${v}`;

function update(m: PairCounts, node: NodeInfo, topologyKey: string, delta: number): void {
  const v = node.labels[topologyKey];
  if (v === undefined) return;
  const k = pairKey(topologyKey, v);
  const n = (m.get(k) ?? 0) + delta;
  if (n === 0) m.delete(k); else m.set(k, n);
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
    readonly existingAntiAffinityCounts: PairCounts = new Map(),
    /** Existing pods matching all of the incoming pod's affinity terms. */
    readonly affinityCounts: PairCounts = new Map(),
    /** Existing pods matching each of the incoming pod's anti-affinity terms. */
    readonly antiAffinityCounts: PairCounts = new Map(),
  ) {}

  clone() {
    return new PreFilterState(this.nsLabels, new Map(this.existingAntiAffinityCounts), new Map(this.affinityCounts), new Map(this.antiAffinityCounts));
  }

  updateWithPod(incoming: PodInfo, p: PodInfo, node: NodeInfo, delta: number): void {
    for (const t of p.requiredAntiAffinityTerms) {
      if (termMatches(t, incoming, this.nsLabels)) update(this.existingAntiAffinityCounts, node, t.topologyKey, delta);
    }
    if (matchesAllTerms(incoming.requiredAffinityTerms, p, this.nsLabels)) {
      for (const t of incoming.requiredAffinityTerms) update(this.affinityCounts, node, t.topologyKey, delta);
    }
    for (const t of incoming.requiredAntiAffinityTerms) {
      if (termMatches(t, p, this.nsLabels)) update(this.antiAffinityCounts, node, t.topologyKey, delta);
    }
  }
}

class PreScoreState {
  constructor(readonly topologyScore: Map<string, Map<string, number>>) {}
  clone() { return this; }
}

function preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot) {
  const nsLabels: NamespaceLabels = (ns) => snapshot.namespaceLabels(ns);
  const s = new PreFilterState(nsLabels);
  let existingTerms = false;
  for (const { term, nodes } of snapshot.antiAffinityTermGroups()) {
    existingTerms = true;
    if (!termMatches(term, pod, nsLabels)) continue;
    for (const [node, n] of nodes) update(s.existingAntiAffinityCounts, node, term.topologyKey, n);
  }
  if (pod.requiredAffinityTerms.length === 0 && pod.requiredAntiAffinityTerms.length === 0 && !existingTerms) return SKIP;
  if (pod.requiredAffinityTerms.length) {
    for (const { pod: existing, node } of snapshot.candidatePods(pod.requiredAffinityTerms[0])) {
      if (!matchesAllTerms(pod.requiredAffinityTerms, existing, nsLabels)) continue;
      for (const t of pod.requiredAffinityTerms) update(s.affinityCounts, node, t.topologyKey, 1);
    }
  }
  for (const t of pod.requiredAntiAffinityTerms) {
    for (const { pod: existing, node } of snapshot.candidatePods(t)) {
      if (termMatches(t, existing, nsLabels)) update(s.antiAffinityCounts, node, t.topologyKey, 1);
    }
  }
  state.write(PRE_FILTER_KEY, s);
  return undefined;
}

function satisfyPodAffinity(s: PreFilterState, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of pod.requiredAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if ((s.affinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself may go anywhere when no pod matches yet.
  return s.affinityCounts.size === 0 && matchesAllTerms(pod.requiredAffinityTerms, pod, () => undefined);
}

function satisfyPodAntiAffinity(s: PreFilterState, pod: PodInfo, node: NodeInfo): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  for (const t of pod.requiredAntiAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && (s.antiAffinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return false;
  }
  return true;
}

function satisfyExistingPodsAntiAffinity(s: PreFilterState, node: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  for (const [k, v] of Object.entries(node.labels)) if ((s.existingAntiAffinityCounts.get(pairKey(k, v)) ?? 0) > 0) return false;
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
