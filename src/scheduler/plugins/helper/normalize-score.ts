/** @module DefaultNormalizeScore: scales scores to 0..MAX_NODE_SCORE by the highest, optionally reversed. */
import { MAX_NODE_SCORE, type NodeScore } from '../../framework/interface.js';

export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = MAX_NODE_SCORE;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((MAX_NODE_SCORE * s.score) / max);
    if (reverse) v = MAX_NODE_SCORE - v;
    s.score = v;
  }
}
