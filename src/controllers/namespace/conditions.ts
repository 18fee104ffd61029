/**
 * @module The status conditions of a terminating namespace, with upstream's types, reasons and
 * messages (namespace deletion's status_condition_utils): each type is True while it fails.
 */
import type { Obj } from '../../client/client.js';

/** What was left after one deletion pass: objects per "resource.group", and objects per finalizer. */
export interface ContentTotals {
  remaining: Map<string, number>;
  finalizers: Map<string, number>;
}

export const ConditionTypes = [
  'NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining', 'NamespaceFinalizersRemaining',
] as const;
type ConditionType = typeof ConditionTypes[number];

const okReasons: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'ResourcesDiscovered',
  NamespaceDeletionGroupVersionParsingFailure: 'ParsedGroupVersions',
  NamespaceDeletionContentFailure: 'ContentDeleted',
  NamespaceContentRemaining: 'ContentRemoved',
  NamespaceFinalizersRemaining: 'ContentHasNoFinalizers',
};
const okMessages: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'All resources successfully discovered',
  NamespaceDeletionGroupVersionParsingFailure: 'All legacy kube types successfully parsed',
  NamespaceDeletionContentFailure: 'All content successfully deleted, may be waiting on finalization',
  NamespaceContentRemaining: 'All content successfully removed',
  NamespaceFinalizersRemaining: 'All content-preserving finalizers finished',
};

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Sets the five conditions on a namespace status from one pass's outcome. A condition keeps its
 * lastTransitionTime while status, reason and message stay the same. Returns whether anything changed.
 */
export function updateConditions(status: Obj, o: { errors: string[]; totals: ContentTotals; now: number }): boolean {
  const failing = new Map<ConditionType, { reason: string; message: string }>();
  if (o.errors.length) {
    failing.set('NamespaceDeletionContentFailure', { reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${o.errors.length} remaining: ${aggregate(o.errors)}` });
  }
  const count = (m: Map<string, number>, fmt: (k: string, n: number) => string) =>
    [...m].filter(([, n]) => n > 0).map(([k, n]) => fmt(k, n)).sort().join(', ');
  if (o.totals.remaining.size) {
    failing.set('NamespaceContentRemaining', { reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${count(o.totals.remaining, (gr, n) => `${gr} has ${n} resource instances`)}` });
  }
  if (o.totals.finalizers.size) {
    failing.set('NamespaceFinalizersRemaining', { reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${count(o.totals.finalizers, (f, n) => `${f} in ${n} resource instances`)}` });
  }
  const old: Obj[] = status.conditions ?? [];
  const next = ConditionTypes.map((type) => {
    const f = failing.get(type);
    const want = { type, status: f ? 'True' : 'False', reason: f?.reason ?? okReasons[type], message: f?.message ?? okMessages[type] };
    const prev = old.find((c) => c.type === type);
    if (prev && prev.status === want.status && prev.reason === want.reason && prev.message === want.message) return prev;
    return { ...want, lastTransitionTime: rfc3339(o.now) };
  });
  const changed = JSON.stringify(old) !== JSON.stringify(next);
  status.conditions = next;
  return changed;
}

/** utilerrors.NewAggregate's message: one error as is, several as "[a, b]". */
const aggregate = (errs: string[]) => (errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
