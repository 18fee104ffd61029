/**
 * @module ImageLocality: prefers nodes that already have the pod's images, weighted by image size
 * and by how widely the image is spread (so that one node with an image does not attract all pods).
 */
import type { Handle } from '../../framework/runtime.js';
import type { ScorePlugin } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { ImageStateSummary } from '../../framework/node-info.js';

export const Name = 'ImageLocality';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** Adds ":latest" to a name without a tag or digest, as the node's image list reports names. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

const scaledImageScore = (s: ImageStateSummary, totalNumNodes: number) => Math.trunc(s.size * (s.numNodes / totalNumNodes));

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export const New = (h: Handle) => ({
  name: Name,
  score(_state, pod, node) {
    const spec = pod.pod.spec;
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    const total = h.snapshot().nodes().length;
    let sum = 0;
    for (const c of containers) {
      const s = c.image ? node.imageStates.get(normalizedImageName(c.image)) : undefined;
      if (s) sum += scaledImageScore(s, total);
    }
    return calculatePriority(sum, containers.length);
  },
}) satisfies ScorePlugin;
