/**
 * @module FitError: why a pod fits no node, worded as kube-scheduler's FitError.Error() — the
 * message of the FailedScheduling event and of the PodScheduled=False condition.
 */
import type { Status } from './status.js';

export const NO_NODE_AVAILABLE = (n: number) => `0/${n} nodes are available`;

export interface Diagnosis {
  /** Each rejected node's status. */
  nodeToStatus: Map<string, Status>;
  /** Plugins that rejected the pod somewhere (the queue re-tries on events they care about). */
  unschedulablePlugins: Set<string>;
  /** Set when a PreFilter rejected the pod outright. */
  preFilterMsg?: string;
  /** The PostFilter (preemption) outcome, when it did not help. */
  postFilterMsg?: string;
}

export class FitError extends Error {
  constructor(readonly numAllNodes: number, readonly diagnosis: Diagnosis) {
    super('');
    this.name = 'FitError';
    this.message = fitErrorMessage(numAllNodes, diagnosis);
  }

  /** Recomputes the message (after the PostFilter message is known). */
  refresh(): void { this.message = fitErrorMessage(this.numAllNodes, this.diagnosis); }
}

/** "0/3 nodes are available: 1 node(s) had untolerated taint {…}, 2 Insufficient cpu. preemption: …" */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `${NO_NODE_AVAILABLE(numAllNodes)}:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const histogram = new Map<string, number>();
    for (const s of d.nodeToStatus.values()) for (const r of s.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    // Go's sort.Strings: byte order, not locale order.
    const parts = [...histogram].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  // The PostFilter message brings its own punctuation.
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}
