/**
 * @module managedFields bookkeeping for ordinary writes (create, update, patch): the writer owns what
 * it changed, and other managers lose what changed under them (structured-merge-diff Updater.Update).
 */
import type { SchemaLookup } from '../../api/openapi/schema-types.js';
import { isObject, type JSONObject, type JSONValue } from '../patch/json.js';
import type { FieldSet } from './fieldpath.js';
import {
  decodeManagers, encodeManagers, managerId, stripServerFields, withManagedFields, withoutManagedFields,
  type ManagedFieldsEntry, type Manager,
} from './managers.js';
import { Typed, type Comparison } from './typed.js';

export interface UpdateOptions {
  manager: string;
  operation?: 'Update';
  /** The version the client wrote (for a scale or status write, the parent object's version). */
  apiVersion: string;
  subresource?: string;
  /** RFC 3339 seconds, e.g. '2024-05-01T10:00:00Z'. */
  time: string;
  schemas: SchemaLookup;
}

export interface ManagedResult {
  /** A copy of the written object carrying the new metadata.managedFields. */
  object: JSONObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Records a non-apply write of `updated` over `old` (undefined on create). managedFields the client
 * sent take precedence over the stored ones (on the main resource), and `[{}]` clears them all.
 */
export function updateManagedFields(old: JSONObject | undefined, updated: JSONObject, opts: UpdateOptions): ManagedResult {
  const sent = isObject(updated.metadata) ? updated.metadata.managedFields : undefined;
  if (isResetRequest(sent)) return { object: withManagedFields(updated, []), managedFields: [] };
  const clientSet = Array.isArray(sent) && sent.length > 0 && !opts.subresource;
  const managers = decodeManagers(clientSet ? sent : isObject(old?.metadata) ? old.metadata.managedFields : undefined);
  const typed = new Typed(opts.schemas);
  const schema = opts.schemas.forKind(opts.apiVersion, typeof updated.kind === 'string' ? updated.kind : '');
  const cmp = typed.compare(withoutManagedFields(old ?? {}), withoutManagedFields(updated), schema);
  recordUpdate(managers, cmp, { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource }, opts.time);
  const managedFields = encodeManagers(managers);
  return { object: withManagedFields(updated, managedFields), managedFields };
}

const isResetRequest = (v: JSONValue | undefined) =>
  Array.isArray(v) && v.length === 1 && isObject(v[0]) && Object.keys(v[0]).length === 0;

/**
 * The writer takes the fields that were added or modified, everyone loses those and the removed
 * ones; the writer's timestamp moves only when it took something.
 */
export function recordUpdate(managers: Map<string, Manager>, cmp: Comparison,
  who: Omit<Manager, 'set' | 'time'>, time: string): void {
  const changed = stripServerFields(cmp.modified.union(cmp.added));
  for (const [id, m] of managers) {
    m.set = m.set.difference(changed).difference(cmp.removed);
    if (m.set.isEmpty()) managers.delete(id);
  }
  if (changed.isEmpty()) return;
  const id = managerId(who);
  const prev: FieldSet | undefined = managers.get(id)?.set;
  managers.set(id, { ...who, time, set: prev ? prev.union(changed) : changed });
}

/** The longest field manager name the API accepts (FieldManagerMaxLength). */
const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * The field manager of a write without ?fieldManager: the User-Agent up to its first "/", without
 * unprintable characters, cut to 128 bytes (upstream's prefixFromUserAgent), e.g.
 * 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc' → 'kubectl'.
 */
export function managerFromUserAgent(userAgent: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of userAgent.split('/')[0]) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue;
    const size = Buffer.byteLength(ch);
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += size;
  }
  return out;
}
