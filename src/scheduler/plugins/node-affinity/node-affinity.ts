/**
 * @module NodeAffinity: nodeSelector and required node affinity must match (filter); preferred
 * terms add their weights (score, normalized to 0..100).
 */
import type { PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { SKIP, unresolvable } from '../../framework/status.js';
import { type NodeMatcher, preferredScore, requiredNodeAffinity } from '../../util/node-affinity.js';
import { defaultNormalizeScore } from '../helper/normalize-score.js';

export const Name = 'NodeAffinity';
export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

const PRE_FILTER_KEY = `PreFilter${Name}`;
const PRE_SCORE_KEY = `PreScore${Name}`;

class PreFilterState {
  constructor(readonly match: NodeMatcher) {}
  clone() { return this; }
}
class PreScoreState {
  constructor(readonly preferred: readonly PreferredSchedulingTerm[]) {}
  clone() { return this; }
}

export const New = () => ({
  name: Name,
  preFilter(state: CycleState, pod) {
    const spec = pod.pod.spec;
    if (!spec?.nodeSelector && !spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return SKIP;
    state.write(PRE_FILTER_KEY, new PreFilterState(requiredNodeAffinity(pod.pod)));
    return undefined;
  },
  filter(state: CycleState, pod, node) {
    // Without PreFilter state (a direct call), compile here.
    const match = state.read<PreFilterState>(PRE_FILTER_KEY)?.match ?? requiredNodeAffinity(pod.pod);
    return match(node.labels, node.name) ? undefined : unresolvable(ErrReasonPod);
  },
  preScore(state: CycleState, pod) {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (preferred.length === 0) return SKIP;
    state.write(PRE_SCORE_KEY, new PreScoreState(preferred));
    return undefined;
  },
  score(state: CycleState, pod, node) {
    const preferred = state.read<PreScoreState>(PRE_SCORE_KEY)?.preferred
      ?? pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    return preferredScore(preferred, node.labels, node.name);
  },
  normalizeScore(_state, _pod, scores) { defaultNormalizeScore(scores, false); },
}) satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
