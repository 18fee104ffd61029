/**
 * @module DefaultPreemption (PostFilter): for a pod that fits nowhere, find the node where evicting
 * the fewest and least important lower-priority pods makes it fit, as kube-scheduler's evaluator
 * (without PodDisruptionBudgets). Pure: the scheduler deletes the victims and sets the nomination.
 */
import type { CycleState } from '../../framework/cycle-state.js';
import { fitErrorMessage } from '../../framework/fit-error.js';
import type { PostFilterPlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { Handle } from '../../framework/runtime.js';
import { type Status, unresolvable, unschedulable } from '../../framework/status.js';

export const Name = 'DefaultPreemption';
export const ErrReasonNotHelpful = 'Preemption is not helpful for scheduling';
export const ErrReasonNoVictims = 'No preemption victims found for incoming pod.';
export const MsgPolicyNever = 'not eligible due to preemptionPolicy=Never.';
export const MsgTerminatingOnNominated = 'not eligible due to a terminating pod on the nominated node.';
const PREFIX = 'preemption: ';

/** Dry runs stop after this share of the potential nodes (at least 100), as upstream. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

interface Candidate { node: string; victims: PodInfo[] }

/** MoreImportantPod: higher priority first, then the one started earlier. */
const moreImportant = (a: PodInfo, b: PodInfo) => b.priority - a.priority || a.startTime - b.startTime;

export const New = (h: Handle) => {

  /** SelectVictimsOnNode: remove every lower-priority pod, then put back as many as still fit. */
  function selectVictims(state: CycleState, pod: PodInfo, original: NodeInfo): { victims?: PodInfo[]; status?: Status } {
    const fwk = h.framework();
    const node = original.clone();
    const st = state.clone();
    const potential = node.pods.filter((p) => p.priority < pod.priority);
    if (potential.length === 0) return { status: unresolvable(ErrReasonNoVictims) };
    for (const p of potential) {
      node.removePod(p);
      fwk.runPreFilterExtensionRemovePod(st, pod, p, node);
    }
    const status = fwk.runFilterPluginsWithNominatedPods(st, pod, node);
    if (status) return { status };
    const victims: PodInfo[] = [];
    for (const p of potential.sort(moreImportant)) {
      node.addPod(p);
      fwk.runPreFilterExtensionAddPod(st, pod, p, node);
      if (fwk.runFilterPluginsWithNominatedPods(st, pod, node)) {
        node.removePod(p);
        fwk.runPreFilterExtensionRemovePod(st, pod, p, node);
        victims.push(p);
      }
    }
    return { victims };
  }

  return {
    name: Name,
    postFilter(state: CycleState, pod: PodInfo, statuses: ReadonlyMap<string, Status>) {
      const spec = pod.pod.spec;
      if (spec?.preemptionPolicy === 'Never') return { status: unschedulable(PREFIX + MsgPolicyNever) };
      const snapshot = h.snapshot();
      const nominated = pod.pod.status?.nominatedNodeName;
      if (nominated && statuses.get(nominated)?.code !== 'UnschedulableAndUnresolvable') {
        // Victims already on their way out: wait for them rather than preempt more.
        const node = snapshot.get(nominated);
        if (node?.pods.some((p) => p.terminating && p.priority < pod.priority)) return { status: unschedulable(PREFIX + MsgTerminatingOnNominated) };
      }
      const nodeStatuses = new Map<string, Status>();
      const potential: NodeInfo[] = [];
      for (const node of snapshot.nodes()) {
        const s = statuses.get(node.name);
        if (!s) continue;
        if (s.code === 'UnschedulableAndUnresolvable') nodeStatuses.set(node.name, unresolvable(ErrReasonNotHelpful));
        else potential.push(node);
      }
      const candidates: Candidate[] = [];
      if (potential.length) {
        const want = Math.min(potential.length, Math.max(MIN_CANDIDATE_NODES_ABSOLUTE, Math.trunc((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100)));
        // Dry runs start at a random node, as upstream, so that no node is always preferred.
        const offset = Math.floor(Math.random() * potential.length);
        for (let i = 0; i < potential.length && candidates.length < want; i++) {
          const node = potential[(offset + i) % potential.length];
          const { victims, status } = selectVictims(state, pod, node);
          if (victims?.length) candidates.push({ node: node.name, victims });
          else nodeStatuses.set(node.name, status ?? unschedulable(`expected at least one victim pod on node "${node.name}"`));
        }
      }
      if (candidates.length === 0) {
        const msg = fitErrorMessage(nodeStatuses.size, { nodeToStatus: nodeStatuses, unschedulablePlugins: new Set() });
        return { status: unschedulable(PREFIX + msg) };
      }
      const best = pickOneNodeForPreemption(candidates);
      return { result: { nominatedNodeName: best.node, victims: best.victims } };
    },
  } satisfies PostFilterPlugin;
};

/** Offset that keeps sums of (possibly negative) priorities ordered like upstream's int64 sums. */
const PRIORITY_OFFSET = 2 ** 31;

/**
 * pickOneNodeForPreemption: the lowest highest-priority victim, then the smallest sum of
 * priorities, then the fewest victims, then the latest start among the highest-priority victims.
 */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate {
  const highest = (c: Candidate) => c.victims[0].priority;
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority + PRIORITY_OFFSET, 0);
  const earliestOfHighest = (c: Candidate) => Math.min(...c.victims.filter((v) => v.priority === highest(c)).map((v) => v.startTime));
  let best = [...candidates];
  const keep = (score: (c: Candidate) => number, prefer: 'min' | 'max') => {
    const values = best.map(score);
    const target = prefer === 'min' ? Math.min(...values) : Math.max(...values);
    best = best.filter((_, i) => values[i] === target);
  };
  keep(highest, 'min');
  keep(sum, 'min');
  keep((c) => c.victims.length, 'min');
  keep(earliestOfHighest, 'max');
  return best[0];
}
