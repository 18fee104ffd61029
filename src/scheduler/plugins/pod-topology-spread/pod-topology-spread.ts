/**
 * @module PodTopologySpread: DoNotSchedule constraints keep the skew (matching pods in a domain
 * minus the global minimum) within maxSkew (filter); ScheduleAnyway constraints prefer domains
 * with fewer matching pods (score). Node inclusion: nodeAffinityPolicy Honor, nodeTaintsPolicy
 * Ignore by default. PreFilter reads the cache's per-domain counts of the pods each constraint
 * selects (kept between cycles) instead of counting over every node each cycle as upstream does;
 * it walks the nodes only when the pod's node affinity, honored taints or several topology keys
 * narrow which nodes count.
 */
import type { Toleration, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fromLabelSelector, matches, type Selector, selectorString } from '../../../apimachinery/labels/index.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin, Snapshot } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Labels, PodInfo } from '../../framework/pod-info.js';
import { SKIP, unresolvable, unschedulable } from '../../framework/status.js';
import { type NodeMatcher, requiredNodeAffinity } from '../../util/node-affinity.js';
import { findUntoleratedTaint } from '../../util/taints.js';

export const Name = 'PodTopologySpread';
export const ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const ErrReasonNodeLabelNotMatch = `${ErrReasonConstraintsNotMatch} (missing required label)`;

const HOSTNAME = 'kubernetes.io/hostname';
const PRE_FILTER_KEY = `PreFilter${Name}`;
const PRE_SCORE_KEY = `PreScore${Name}`;

interface Constraint {
  /** Names the pods the constraint counts (namespace and selector), for the cache's counters. */
  countKey: string;
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

const compiled = new WeakMap<PodInfo, Record<'DoNotSchedule' | 'ScheduleAnyway', Constraint[]>>();

/** The pod's constraints with the given whenUnsatisfiable, matchLabelKeys folded into the selector; compiled once per pod. */
function constraintsOf(pod: PodInfo, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  let c = compiled.get(pod);
  if (!c) compiled.set(pod, (c = { DoNotSchedule: compile(pod, 'DoNotSchedule'), ScheduleAnyway: compile(pod, 'ScheduleAnyway') }));
  return c[action];
}

function compile(pod: PodInfo, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  return (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === action).map((c) => {
    const selector = fromLabelSelector(withMatchLabelKeys(c, pod.labels));
    return {
      countKey: `spread|${pod.namespace}|${selectorString(selector)}`,
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    };
  });
}

function withMatchLabelKeys(c: TopologySpreadConstraint, labels: Labels): LabelSelector | null {
  const keys = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k));
  if (!c.labelSelector || keys.length === 0) return c.labelSelector ?? null;
  return {
    ...c.labelSelector,
    matchExpressions: [...(c.labelSelector.matchExpressions ?? []), ...keys.map((k) => ({ key: k, operator: 'In', values: [labels[k]] }))],
  };
}

const hasAllKeys = (labels: Labels, cs: readonly Constraint[]) => cs.every((c) => Object.hasOwn(labels, c.topologyKey));

/** Nodes the constraint counts: nodes matching the pod's node affinity and (when honored) tolerated taints. */
class Inclusion {
  private readonly affinity: NodeMatcher;
  private readonly tolerations: readonly Toleration[];
  /** The pod has no nodeSelector nor required node affinity: only honored taints can exclude nodes. */
  readonly noNodeAffinity: boolean;
  constructor(pod: PodInfo) {
    this.affinity = requiredNodeAffinity(pod.pod);
    this.tolerations = pod.pod.spec?.tolerations ?? [];
    this.noNodeAffinity = Object.keys(pod.pod.spec?.nodeSelector ?? {}).length === 0
      && !pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  }
  includes(c: Constraint, node: NodeInfo): boolean {
    if (c.honorNodeAffinity && !this.affinity(node.labels, node.name)) return false;
    if (c.honorTaints && findUntoleratedTaint(node.taints, this.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) return false;
    return true;
  }
}

const countsMatch = (p: PodInfo, c: Constraint, namespace: string) => !p.terminating && p.namespace === namespace && matches(c.selector, p.labels);

class PreFilterState {
  constructor(
    readonly constraints: Constraint[],
    readonly inclusion: Inclusion,
    /** topologyKey → value → matching pods (every eligible domain present, possibly 0). */
    readonly counts: Map<string, Map<string, number>>,
    /** topologyKey → the smallest count over its domains. */
    readonly minimum: Map<string, number>,
    /** Per constraint: whether the incoming pod itself matches its selector. */
    readonly selfMatch: boolean[],
  ) {}

  /** Per constraint: each counted domain's verdict, and the verdict for a domain not counted (0 pods). */
  private verdicts?: { fits: Map<string, boolean>; zeroFits: boolean }[];

  /** Filter's answers, computed once per cycle (and again after a dry run changed the counts). */
  domainVerdicts() {
    return (this.verdicts ??= this.constraints.map((c, i) => {
      const byValue = this.counts.get(c.topologyKey)!;
      // Fewer domains than minDomains: the global minimum counts as 0.
      const min = byValue.size < c.minDomains ? 0 : this.minimum.get(c.topologyKey)!;
      const self = this.selfMatch[i] ? 1 : 0;
      const fits = new Map<string, boolean>();
      for (const [v, n] of byValue) fits.set(v, n + self - min <= c.maxSkew);
      return { fits, zeroFits: self - min <= c.maxSkew };
    }));
  }

  clone() {
    return new PreFilterState(this.constraints, this.inclusion, new Map([...this.counts].map(([k, m]) => [k, new Map(m)])), new Map(this.minimum),
      this.selfMatch);
  }

  recomputeMinimum(key: string): void {
    let min = Infinity;
    for (const n of this.counts.get(key)?.values() ?? []) if (n < min) min = n;
    this.minimum.set(key, min);
  }

  updateWithPod(incoming: PodInfo, p: PodInfo, node: NodeInfo, delta: number): void {
    if (p.namespace !== incoming.namespace || !hasAllKeys(node.labels, this.constraints)) return;
    for (const c of this.constraints) {
      if (!this.inclusion.includes(c, node) || !matches(c.selector, p.labels)) continue;
      const byValue = this.counts.get(c.topologyKey)!;
      const v = node.labels[c.topologyKey];
      byValue.set(v, (byValue.get(v) ?? 0) + delta);
      this.recomputeMinimum(c.topologyKey);
      this.verdicts = undefined;
    }
  }
}

function preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot) {
  const constraints = constraintsOf(pod, 'DoNotSchedule');
  if (constraints.length === 0) return SKIP;
  const inclusion = new Inclusion(pod);
  const counts = new Map<string, Map<string, number>>();
  for (const c of constraints) if (!counts.has(c.topologyKey)) counts.set(c.topologyKey, new Map());
  const matching = constraints.map((c) => snapshot.podCounts(c.countKey, (p) => countsMatch(p, c, pod.namespace), { selector: c.selector }));
  if (counts.size === 1 && inclusion.noNodeAffinity && !constraints.some((c) => c.honorTaints)) {
    // Every node with the one topology key counts: read the domain sums as they are.
    const [[key, byValue]] = counts;
    for (const v of snapshot.nodeDomains(key).keys()) byValue.set(v, 0);
    for (const m of matching) for (const [v, n] of m.byDomain(key)) byValue.set(v, byValue.get(v)! + n);
  } else {
    // Every eligible domain, including those without matching pods, with the pods on eligible nodes.
    for (const node of snapshot.nodes()) {
      if (!hasAllKeys(node.labels, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!inclusion.includes(c, node)) return;
        const byValue = counts.get(c.topologyKey)!;
        const v = node.labels[c.topologyKey];
        byValue.set(v, (byValue.get(v) ?? 0) + (matching[i].perNode.get(node) ?? 0));
      });
    }
  }
  const s = new PreFilterState(constraints, inclusion, counts, new Map(), constraints.map((c) => matches(c.selector, pod.labels)));
  for (const key of counts.keys()) s.recomputeMinimum(key);
  state.write(PRE_FILTER_KEY, s);
  return undefined;
}

function filter(state: CycleState, _pod: PodInfo, node: NodeInfo) {
  const s = state.read<PreFilterState>(PRE_FILTER_KEY);
  if (!s) return undefined;
  const verdicts = s.domainVerdicts();
  for (let i = 0; i < s.constraints.length; i++) {
    const v = node.labels[s.constraints[i].topologyKey];
    if (v === undefined) return unresolvable(ErrReasonNodeLabelNotMatch);
    // matching pods in v + the pod itself − the global minimum must stay within maxSkew.
    const { fits, zeroFits } = verdicts[i];
    if (!(fits.get(v) ?? zeroFits)) return unschedulable(ErrReasonConstraintsNotMatch);
  }
  return undefined;
}

class PreScoreState {
  constructor(
    readonly constraints: Constraint[],
    readonly ignored: Set<string>,
    /** Per constraint: value → matching pods (hostname constraints count per node at Score). */
    readonly counts: Map<string, number>[],
    readonly weights: number[],
    readonly namespace: string,
  ) {}
  clone() { return this; }
}

function preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot) {
  const constraints = constraintsOf(pod, 'ScheduleAnyway');
  if (constraints.length === 0) return SKIP;
  const inclusion = new Inclusion(pod);
  const ignored = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of nodes) {
    if (!hasAllKeys(node.labels, constraints)) { ignored.add(node.name); continue; }
    constraints.forEach((c, i) => { if (c.topologyKey !== HOSTNAME && !counts[i].has(node.labels[c.topologyKey])) counts[i].set(node.labels[c.topologyKey], 0); });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? nodes.length - ignored.size : counts[i].size) + 2));
  constraints.forEach((c, i) => {
    if (c.topologyKey === HOSTNAME) return;
    for (const { pod: p, node } of snapshot.candidatePods(c)) {
      if (!countsMatch(p, c, pod.namespace) || !hasAllKeys(node.labels, constraints) || !inclusion.includes(c, node)) continue;
      const v = node.labels[c.topologyKey];
      const n = counts[i].get(v);
      // Only domains of feasible nodes are scored.
      if (n !== undefined) counts[i].set(v, n + 1);
    }
  });
  state.write(PRE_SCORE_KEY, new PreScoreState(constraints, ignored, counts, weights, pod.namespace));
  return undefined;
}

function score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
  const s = state.read<PreScoreState>(PRE_SCORE_KEY);
  if (!s || s.ignored.has(node.name)) return 0;
  let total = 0;
  s.constraints.forEach((c, i) => {
    const v = node.labels[c.topologyKey];
    if (v === undefined) return;
    let n = 0;
    if (c.topologyKey === HOSTNAME) { for (const p of node.pods) if (countsMatch(p, c, s.namespace)) n++; }
    else n = s.counts[i].get(v) ?? 0;
    total += n * s.weights[i] + (c.maxSkew - 1);
  });
  return Math.round(total);
}

function normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
  const s = state.read<PreScoreState>(PRE_SCORE_KEY);
  if (!s) return;
  let min = Infinity;
  let max = 0;
  for (const x of scores) {
    if (s.ignored.has(x.name)) continue;
    min = Math.min(min, x.score);
    max = Math.max(max, x.score);
  }
  for (const x of scores) {
    if (s.ignored.has(x.name)) x.score = 0;
    else if (max === 0) x.score = MAX_NODE_SCORE;
    else x.score = Math.trunc((MAX_NODE_SCORE * (max + min - x.score)) / max);
  }
}

export const New = () => ({
  name: Name,
  preFilter,
  extensions: {
    addPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo) { state.read<PreFilterState>(PRE_FILTER_KEY)?.updateWithPod(pod, toAdd, node, 1); },
    removePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo) { state.read<PreFilterState>(PRE_FILTER_KEY)?.updateWithPod(pod, toRemove, node, -1); },
  },
  filter,
  preScore,
  score,
  normalizeScore,
}) satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
