/**
 * @module The scheduler framework's extension points, as kube-scheduler's: small synchronous
 * plugins (pure CPU, no I/O) over an in-memory snapshot. A returned `undefined` Status is success.
 */
import type { Selector } from '../../apimachinery/labels/index.js';
import type { CycleState } from './cycle-state.js';
import type { NodeCounts } from './node-counts.js';
import type { NodeInfo } from './node-info.js';
import type { AffinityTerm, Labels, PodInfo } from './pod-info.js';
import type { Status } from './status.js';

export const MAX_NODE_SCORE = 100;

export interface NodeScore { name: string; score: number }

/**
 * The cluster as one cycle sees it. Stable for the whole (synchronous) cycle: the cache applies
 * informer events only between cycles.
 */
export interface Snapshot {
  /** Every node with a Node object, in a stable order. */
  nodes(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes hosting pods whose affinity weighs in scoring (NodeInfo.podsWithScoredAffinity). */
  nodesWithScoredAffinityPods(): readonly NodeInfo[];
  /**
   * Existing pods' required anti-affinity terms, equal terms grouped, with how many pods on each
   * node carry the term: one term match per group instead of one per pod.
   */
  antiAffinityTermGroups(): Iterable<AntiAffinityTermGroup>;
  /** Assigned pods that may match term (a superset: callers still check termMatches), with their node. */
  candidatePods(term: Pick<AffinityTerm, 'selector'>): Iterable<{ pod: PodInfo; node: NodeInfo }>;
  /**
   * The assigned pods `matches` selects, counted per node and domain. `key` names the predicate
   * (equal keys must mean equal predicates): the counts are kept between cycles under it.
   */
  podCounts(key: string, matches: (p: PodInfo) => boolean, opts?: PodCountsOptions): NodeCounts;
  /** Nodes (with a Node object) per value of topologyKey: every domain that exists. */
  nodeDomains(topologyKey: string): ReadonlyMap<string, number>;
  namespaceLabels(namespace: string): Labels | undefined;
}

export interface PodCountsOptions {
  /** Only pods this selector may match can match (narrows the first count through the label index). */
  selector?: Selector;
  /** The predicate reads namespace labels: the counts are dropped when those change. */
  usesNamespaceLabels?: boolean;
}

export interface AntiAffinityTermGroup {
  readonly term: AffinityTerm;
  /** The pods carrying the term, per node and domain. */
  readonly counts: NodeCounts;
}

export interface Plugin {
  readonly name: string;
}

/** Adds a pod to, or removes one from, a PreFilter's state (preemption's dry runs, nominated pods). */
export interface PreFilterExtensions {
  /** Updates state as if podToAdd ran on node. Never fails. */
  addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, node: NodeInfo): void;
  /** Updates state as if podToRemove no longer ran on node. Never fails. */
  removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, node: NodeInfo): void;
}

export interface PreFilterPlugin extends Plugin {
  /**
   * Computes per-cycle state from the whole snapshot. A rejection makes the pod unschedulable on
   * every node (Filter is not called); SKIP skips this plugin's Filter for this pod.
   */
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | undefined;
  readonly extensions?: PreFilterExtensions;
}

export interface FilterPlugin extends Plugin {
  /** Whether pod fits node; a rejection's reasons are shown to users per node. Must not mutate node. */
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined;
}

export interface PreScorePlugin extends Plugin {
  /** Prepares scoring over the feasible nodes; SKIP skips this plugin's Score for this pod. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status | undefined;
}

export interface ScorePlugin extends Plugin {
  /** The node's raw score; after normalizeScore (when present) it must be in 0..MAX_NODE_SCORE. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rescales the raw scores of all feasible nodes in place. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

/** Pods to delete and the node the preemptor is nominated to, from a successful PostFilter. */
export interface PostFilterResult { nominatedNodeName: string; victims: PodInfo[] }

export interface PostFilterPlugin extends Plugin {
  /**
   * Called when no node fits, with each node's Filter status. Returns a result to act on (the
   * scheduler deletes the victims), or a rejection whose message is added to the FitError.
   * Pure: it must not write to the cluster itself.
   */
  postFilter(state: CycleState, pod: PodInfo, statuses: ReadonlyMap<string, Status>): { result?: PostFilterResult; status?: Status };
}
