/**
 * @module NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in
 * equal fractions after placing the pod: (1 - |cpu% - mem%| / 2) * 100, on actual requests.
 */
import type { ScorePlugin } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';

export const Name = 'NodeResourcesBalancedAllocation';

const fraction = (requested: number, allocatable: number) => Math.min(1, requested / allocatable);

export const New = () => ({
  name: Name,
  score(_state, pod, node) {
    const a = node.allocatable;
    const fractions: number[] = [];
    if (a.milliCPU > 0) fractions.push(fraction(node.requested.milliCPU + pod.requests.milliCPU, a.milliCPU));
    if (a.memory > 0) fractions.push(fraction(node.requested.memory + pod.requests.memory, a.memory));
    let std = 0;
    if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
}) satisfies ScorePlugin;
