/**
 * @module TaintToleration: NoSchedule and NoExecute taints must be tolerated (filter); nodes with
 * fewer untolerated PreferNoSchedule taints score higher.
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, NodeScore, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { unresolvable } from '../../framework/status.js';
import { findUntoleratedTaint, tolerated } from '../../util/taints.js';
import { defaultNormalizeScore } from '../helper/normalize-score.js';

export const Name = 'TaintToleration';
export const errReasonUntolerated = (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;

const STATE_KEY = `PreScore${Name}`;

class PreScoreState {
  constructor(readonly tolerations: readonly Toleration[]) {}
  clone() { return this; }
}

const schedulingEffect = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

export const New = () => ({
  name: Name,
  filter(_state, pod, node) {
    const taint = findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations ?? [], schedulingEffect);
    return taint ? unresolvable(errReasonUntolerated(taint)) : undefined;
  },
  preScore(state: CycleState, pod) {
    // Only tolerations that can tolerate PreferNoSchedule (effect empty or PreferNoSchedule) count.
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(STATE_KEY, new PreScoreState(tolerations));
    return undefined;
  },
  score(state: CycleState, _pod, node) {
    const tolerations = state.read<PreScoreState>(STATE_KEY)?.tolerations ?? [];
    let n = 0;
    for (const t of node.taints) if (t.effect === 'PreferNoSchedule' && !tolerated(tolerations, t)) n++;
    return n;
  },
  normalizeScore(_state, _pod, scores: NodeScore[]) { defaultNormalizeScore(scores, true); },
}) satisfies FilterPlugin & PreScorePlugin & ScorePlugin;
