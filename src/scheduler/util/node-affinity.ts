/**
 * @module Node selectors as component-helpers' nodeaffinity: a pod's nodeSelector plus its
 * required node affinity (terms ORed, requirements ANDed), and preferred terms with weights.
 */
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../framework/pod-info.js';

/** Matches a node by its labels and name. */
export type NodeMatcher = (labels: Labels, nodeName: string) => boolean;

const INT = /^[+-]?\d+$/;

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': case 'Lt': {
      if (value === undefined || values.length !== 1 || !INT.test(value) || !INT.test(values[0])) return false;
      const got = BigInt(value);
      const want = BigInt(values[0]);
      return r.operator === 'Gt' ? got > want : got < want;
    }
    default: return false;
  }
}

/** A term matches when all its expressions and fields match; an empty term matches nothing. */
export function termMatches(t: NodeSelectorTerm, labels: Labels, nodeName: string): boolean {
  const exprs = t.matchExpressions ?? [];
  const fields = t.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const e of exprs) if (!requirementMatches(e, Object.hasOwn(labels, e.key) ? labels[e.key] : undefined)) return false;
  for (const f of fields) {
    // metadata.name is the only supported field; In/NotIn only.
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, nodeName)) return false;
  }
  return true;
}

/** GetRequiredNodeAffinity(pod).Match: nodeSelector and the required terms (when set) both hold. */
export function requiredNodeAffinity(pod: Pod): NodeMatcher {
  const selector = Object.entries(pod.spec?.nodeSelector ?? {});
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required?.nodeSelectorTerms;
  return (labels, nodeName) => {
    for (const [k, v] of selector) if (labels[k] !== v) return false;
    if (!required) return true;
    return (terms ?? []).some((t) => termMatches(t, labels, nodeName));
  };
}

/** The sum of the weights of the preferred terms the node matches. */
export function preferredScore(terms: readonly PreferredSchedulingTerm[], labels: Labels, nodeName: string): number {
  let sum = 0;
  for (const t of terms) if (t.weight !== 0 && termMatches(t.preference, labels, nodeName)) sum += t.weight;
  return sum;
}
