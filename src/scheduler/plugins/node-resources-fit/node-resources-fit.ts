/**
 * @module NodeResourcesFit: the pod's requests must fit the node's allocatable minus what its pods
 * request, and the pod count must stay within allocatable pods (filter); LeastAllocated scoring
 * prefers nodes with more room left (cpu and memory, weight 1 each, non-zero defaults).
 */
import type { FilterPlugin, ScorePlugin } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { unschedulable } from '../../framework/status.js';

export const Name = 'NodeResourcesFit';
export const ErrReasonTooManyPods = 'Too many pods';
export const insufficient = (resource: string) => `Insufficient ${resource}`;

/** fitsRequest: every reason the pod does not fit, in upstream's order (pods, cpu, memory, storage, scalars). */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.length + 1 > node.allowedPodNumber) out.push(ErrReasonTooManyPods);
  const req = pod.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0) return out;
  const a = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > a.milliCPU - used.milliCPU) out.push(insufficient('cpu'));
  if (req.memory > 0 && req.memory > a.memory - used.memory) out.push(insufficient('memory'));
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) out.push(insufficient('ephemeral-storage'));
  for (const [name, q] of req.scalar) {
    if (q > 0 && q > (a.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) out.push(insufficient(name));
  }
  return out;
}

/** Whether insufficientResources would find nothing, without building the list (the common case, once per node). */
function fits(pod: PodInfo, node: NodeInfo): boolean {
  if (node.pods.length + 1 > node.allowedPodNumber) return false;
  const req = pod.requests;
  const a = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > a.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > a.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) return false;
  for (const [name, q] of req.scalar) if (q > 0 && q > (a.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) return false;
  return true;
}

/** leastRequestedScore: (capacity - requested) * 100 / capacity, 0 when over capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const New = () => ({
  name: Name,
  filter(_state, pod, node) {
    if (fits(pod, node)) return undefined;
    const reasons = insufficientResources(pod, node);
    return reasons.length ? unschedulable(...reasons) : undefined;
  },
  score(_state, pod, node) {
    // cpu and memory, weight 1 each; a resource the node does not report is left out.
    let sum = 0;
    let weights = 0;
    if (node.allocatable.milliCPU > 0) {
      sum += leastRequestedScore(node.nonZeroCPU + pod.nonZeroCPU, node.allocatable.milliCPU);
      weights++;
    }
    if (node.allocatable.memory > 0) {
      sum += leastRequestedScore(node.nonZeroMemory + pod.nonZeroMemory, node.allocatable.memory);
      weights++;
    }
    return weights ? Math.trunc(sum / weights) : 0;
  },
}) satisfies FilterPlugin & ScorePlugin;
