/** @module Taints and tolerations as core/v1 helpers: ToleratesTaint and the first untolerated taint. */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

/** Toleration.ToleratesTaint: effect and key match when set; Equal (or empty) compares values, Exists does not. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '': case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    case 'Exists': return true;
    default: return false;
  }
}

export const tolerated = (tolerations: readonly Toleration[], taint: Taint) => tolerations.some((t) => toleratesTaint(t, taint));

/** The first taint accepted by `include` that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], include: (t: Taint) => boolean): Taint | undefined {
  return taints.find((taint) => include(taint) && !tolerated(tolerations, taint));
}
