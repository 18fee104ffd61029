/**
 * @module ImageLocality: prefers nodes that already have the pod's images, weighted by image size
 * and by how widely the image is spread (so that one node with an image does not attract all pods).
 */
import type { CycleState } from '../../framework/cycle-state.js';
import type { PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
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

const PRE_SCORE_KEY = `PreScore${Name}`;

class PreScoreState {
  constructor(readonly images: readonly string[], readonly numContainers: number, readonly totalNumNodes: number) {}
  clone() { return this; }
}

export const New = () => ({
  name: Name,
  preScore(state: CycleState, pod, _nodes, snapshot) {
    const spec = pod.pod.spec;
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    const images = containers.filter((c) => c.image).map((c) => normalizedImageName(c.image!));
    state.write(PRE_SCORE_KEY, new PreScoreState(images, containers.length, snapshot.nodes().length));
    return undefined;
  },
  score(state: CycleState, _pod, node) {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY)!;
    let sum = 0;
    for (const image of s.images) {
      const st = node.imageStates.get(image);
      if (st) sum += scaledImageScore(st, s.totalNumNodes);
    }
    return calculatePriority(sum, s.numContainers);
  },
}) satisfies PreScorePlugin & ScorePlugin;
