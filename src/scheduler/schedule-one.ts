/**
 * @module One scheduling attempt's algorithm (schedulePod), pure and synchronous: PreFilter, then
 * Filter over the nodes (the nominated node first; stopping after enough feasible nodes, as
 * percentageOfNodesToScore), then Score and a random pick among the best. Throws FitError.
 */
import type { CycleState } from './framework/cycle-state.js';
import { FitError } from './framework/fit-error.js';
import type { NodeScore, Snapshot } from './framework/interface.js';
import type { NodeInfo } from './framework/node-info.js';
import type { PodInfo } from './framework/pod-info.js';
import type { Framework } from './framework/runtime.js';
import { message } from './framework/status.js';

export const ErrNoNodesAvailable = 'no nodes available to schedule pods';

/** At least this many feasible nodes are looked for (minFeasibleNodesToFind). */
const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/**
 * numFeasibleNodesToFind: all nodes below 100; else percentage% of them (adaptive when 0:
 * 50 - nodes/125, at least 5), and never fewer than 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES || percentage >= 100) return numAllNodes;
  let p = percentage;
  if (p <= 0) p = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES, Math.trunc((numAllNodes * p) / 100));
}

export interface ScheduleResult { suggestedHost: string; evaluatedNodes: number; feasibleNodes: number }

export interface AlgorithmOptions {
  /** 0 (default) = adaptive, as kube-scheduler. */
  percentageOfNodesToScore?: number;
  /** [0, 1) — tie-breaks among equally scored nodes. */
  random?: () => number;
}

export class Algorithm {
  /** Filtering resumes where the previous cycle stopped, so that all nodes get their turn. */
  private nextStartNodeIndex = 0;
  private readonly random: () => number;

  constructor(private readonly fwk: Framework, private readonly snapshot: Snapshot, private readonly opts: AlgorithmOptions = {}) {
    this.random = opts.random ?? Math.random;
  }

  /** Picks a node for pod. Throws FitError when none fits, Error when there are no nodes at all. */
  schedulePod(state: CycleState, pod: PodInfo): ScheduleResult {
    const nodes = this.snapshot.nodes();
    if (nodes.length === 0) throw new Error(ErrNoNodesAvailable);
    const { feasible, evaluated } = this.findNodesThatFit(state, pod, nodes);
    if (feasible.length === 1) return { suggestedHost: feasible[0].name, evaluatedNodes: evaluated, feasibleNodes: 1 };
    const scores = this.fwk.runScorePlugins(state, pod, feasible, this.snapshot);
    return { suggestedHost: this.selectHost(scores), evaluatedNodes: evaluated, feasibleNodes: feasible.length };
  }

  private findNodesThatFit(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { feasible: NodeInfo[]; evaluated: number } {
    const diagnosis = { nodeToStatus: new Map(), unschedulablePlugins: new Set<string>() };
    const pre = this.fwk.runPreFilterPlugins(state, pod, this.snapshot);
    if (pre) {
      if (pre.code === 'Error') throw new Error(`running PreFilter plugin "${pre.plugin}": ${message(pre)}`);
      for (const n of nodes) diagnosis.nodeToStatus.set(n.name, pre);
      diagnosis.unschedulablePlugins.add(pre.plugin!);
      throw new FitError(nodes.length, { ...diagnosis, preFilterMsg: message(pre) });
    }
    // A pod nominated by preemption tries its node first.
    const nominated = pod.pod.status?.nominatedNodeName;
    const nominatedNode = nominated ? this.snapshot.get(nominated) : undefined;
    if (nominatedNode && !this.fwk.runFilterPluginsWithNominatedPods(state, pod, nominatedNode)) return { feasible: [nominatedNode], evaluated: 1 };
    const want = numFeasibleNodesToFind(nodes.length, this.opts.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    let processed = 0;
    for (let i = 0; i < nodes.length && feasible.length < want; i++) {
      const node = nodes[(this.nextStartNodeIndex + i) % nodes.length];
      processed++;
      const s = this.fwk.runFilterPluginsWithNominatedPods(state, pod, node);
      if (!s) { feasible.push(node); continue; }
      if (s.code === 'Error') throw new Error(`running Filter plugin "${s.plugin}": ${message(s)}`);
      diagnosis.nodeToStatus.set(node.name, s);
      diagnosis.unschedulablePlugins.add(s.plugin!);
    }
    this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % nodes.length;
    if (feasible.length === 0) throw new FitError(nodes.length, diagnosis);
    return { feasible, evaluated: processed };
  }

  /** The highest total; ties broken uniformly at random (reservoir sampling). */
  private selectHost(scores: readonly NodeScore[]): string {
    let selected = scores[0].name;
    let max = scores[0].score;
    let count = 1;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i];
      if (s.score > max) {
        max = s.score;
        selected = s.name;
        count = 1;
      } else if (s.score === max) {
        count++;
        if (Math.floor(this.random() * count) === 0) selected = s.name;
      }
    }
    return selected;
  }
}
