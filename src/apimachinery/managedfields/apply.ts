/**
 * @module Server-side apply (structured-merge-diff Updater.Apply with kube-apiserver's field manager
 * layers): merge the applied configuration, prune what the applier dropped, detect conflicts.
 */
import type { SchemaLookup } from '../../api/openapi/schema-types.js';
import { newBadRequest } from '../errors.js';
import { newUnknownError } from '../patch/errors.js';
import { deepEqual, isObject, type JSONObject, type JSONValue } from '../patch/json.js';
import { newApplyConflict } from './conflict.js';
import { FieldSet } from './fieldpath.js';
import {
  decodeManagers, encodeManagers, managerId, stripServerFields, withManagedFields, withoutManagedFields,
} from './managers.js';
import { Typed } from './typed.js';
import { recordUpdate, type ManagedResult } from './update.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Who owns the fields of an object that existed before its first apply. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';
/** The manager `kubectl apply --server-side` uses; it may take over what client-side apply set. */
const KUBECTL_MANAGER = 'kubectl';

export interface ApplyOptions {
  manager: string;
  /** ?force=true (kubectl --force-conflicts): take conflicting fields instead of failing. */
  force?: boolean;
  schemas: SchemaLookup;
  apiVersion: string;
  kind: string;
  subresource?: string;
  /** RFC 3339 seconds, e.g. '2024-05-01T10:00:00Z'. */
  time: string;
}

/**
 * Applies the configuration `applied` for `opts.manager` to `live` (undefined: create). The manager
 * comes to own exactly the fields of `applied`; fields it applied before and no longer does are
 * removed unless someone else owns them. Throws 409 Conflict (causes FieldManagerConflict) when a
 * field another manager owns would change, unless `force`; 400 for a version mismatch.
 */
export function apply(live: JSONObject | undefined, applied: JSONObject, opts: ApplyOptions): ManagedResult {
  if (typeof applied.apiVersion === 'string' && applied.apiVersion !== opts.apiVersion) {
    throw newBadRequest(`Incorrect version specified in apply patch. Specified patch version: ${applied.apiVersion}, expected: ${opts.apiVersion}`);
  }
  const sentManaged = isObject(applied.metadata) ? applied.metadata.managedFields : undefined;
  if (Array.isArray(sentManaged) && sentManaged.length > 0) {
    throw newUnknownError(`managed fields must be nil but was ${JSON.stringify(sentManaged)}`);
  }
  const schema = opts.schemas.forKind(opts.apiVersion, opts.kind);
  const typed = new Typed(opts.schemas);
  const liveObj = live ? withoutManagedFields(live) : {};
  const config = withoutManagedFields(applied);
  const managers = decodeManagers(isObject(live?.metadata) ? live.metadata.managedFields : undefined);
  if (live && managers.size === 0) {
    recordUpdate(managers, typed.compare({}, liveObj, schema),
      { manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update', apiVersion: opts.apiVersion }, opts.time);
  }

  const self = { manager: opts.manager, operation: 'Apply' as const, apiVersion: opts.apiVersion, subresource: opts.subresource };
  const id = managerId(self);
  const previous = managers.get(id);
  managers.set(id, { ...self, time: previous?.time, set: stripServerFields(typed.fieldSet(config, schema)) });

  let merged = typed.merge(liveObj, config, schema) as JSONObject;
  if (previous) {
    const owned = [...managers.values()].reduce((acc, m) => acc.union(m.set), new FieldSet());
    merged = typed.prune(merged, schema, previous.set.difference(owned), owned) as JSONObject;
  }

  const cmp = typed.compare(liveObj, merged, schema);
  const changed = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [mid, m] of managers) {
    if (mid === id) continue;
    const c = m.set.intersection(changed);
    if (!c.isEmpty()) conflicts.set(mid, c);
  }
  if (conflicts.size && !opts.force) {
    const remaining = conflictsNotAllowed(conflicts, live, opts.manager, typed, opts);
    if (remaining.size) throw newApplyConflict(remaining, managers);
  }
  for (const [mid, m] of managers) {
    if (mid === id) continue;
    m.set = m.set.difference(conflicts.get(mid) ?? new FieldSet()).difference(cmp.removed);
    if (m.set.isEmpty()) managers.delete(mid);
  }
  const mine = managers.get(id)!;
  if (!previous || !deepEqual(merged, liveObj)) mine.time = opts.time;
  if (mine.set.isEmpty()) managers.delete(id);

  merged = syncLastApplied(live, merged, applied, opts.manager);
  const managedFields = encodeManagers(managers);
  return { object: withManagedFields(merged, managedFields), managedFields };
}

function lastAppliedOf(obj: JSONObject | undefined): string | undefined {
  const annotations = isObject(obj?.metadata) ? obj.metadata.annotations : undefined;
  const v = isObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * kubectl's server-side apply may take fields its client-side apply set: conflicts on fields in the
 * last-applied annotation are allowed for manager "kubectl" (upstream's lastAppliedManager).
 */
function conflictsNotAllowed(conflicts: Map<string, FieldSet>, live: JSONObject | undefined, manager: string,
  typed: Typed, opts: ApplyOptions): Map<string, FieldSet> {
  const lastApplied = manager === KUBECTL_MANAGER ? lastAppliedOf(live) : undefined;
  if (!lastApplied) return conflicts;
  let allowed: FieldSet;
  try {
    allowed = typed.fieldSet(JSON.parse(lastApplied) as JSONValue, opts.schemas.forKind(opts.apiVersion, opts.kind));
  } catch {
    return conflicts;
  }
  const out = new Map<string, FieldSet>();
  for (const [mid, c] of conflicts) {
    const rest = c.difference(allowed);
    if (!rest.isEmpty()) out.set(mid, rest);
  }
  return out;
}

/** kubectl server-side apply keeps an existing last-applied annotation current (lastAppliedUpdater). */
function syncLastApplied(live: JSONObject | undefined, merged: JSONObject, applied: JSONObject, manager: string): JSONObject {
  if (manager !== KUBECTL_MANAGER || !lastAppliedOf(live)) return merged;
  const metadata = isObject(applied.metadata) ? { ...applied.metadata } : {};
  if (isObject(metadata.annotations)) {
    const { [LAST_APPLIED_ANNOTATION]: _, ...rest } = metadata.annotations;
    metadata.annotations = rest;
  }
  // Encoded as Go encodes an unstructured object: keys sorted, a trailing newline.
  const value = `${JSON.stringify(sortKeys({ ...applied, metadata }))}\n`;
  const mergedMeta = isObject(merged.metadata) ? merged.metadata : {};
  const annotations = isObject(mergedMeta.annotations) ? mergedMeta.annotations : {};
  return { ...merged, metadata: { ...mergedMeta, annotations: { ...annotations, [LAST_APPLIED_ANNOTATION]: value } } };
}

function sortKeys(v: JSONValue): JSONValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

