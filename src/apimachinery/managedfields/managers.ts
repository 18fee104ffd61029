/**
 * @module metadata.managedFields as a table of managers (k8s.io/apimachinery/pkg/util/managedfields):
 * decoding, the identity that groups entries, upstream's entry order, and fields nobody owns.
 */
import { isObject, type JSONObject, type JSONValue } from '../patch/json.js';
import { decodeFieldsV1, encodeFieldsV1, fieldKey, FieldSet } from './fieldpath.js';

export type Operation = 'Apply' | 'Update';

/** One metadata.managedFields entry, as the API serves it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JSONObject;
  subresource?: string;
}

export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/**
 * The identity of a manager (BuildManagerIdentifier): appliers are one manager across API versions,
 * updaters one per version. The JSON field order follows ManagedFieldsEntry, so sorting it sorts by name.
 */
export function managerId(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: JSONObject = { manager: m.manager, operation: m.operation };
  if (m.operation === 'Update') id.apiVersion = m.apiVersion;
  if (m.subresource) id.subresource = m.subresource;
  return JSON.stringify(id);
}

/** The manager as conflict messages name it (printManager). */
export function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${s} using ${m.apiVersion}` : s;
}

/** Decodes managedFields; entries that are not well-formed are dropped. */
export function decodeManagers(v: JSONValue | undefined): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (!Array.isArray(v)) return out;
  for (const e of v) {
    if (!isObject(e) || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) continue;
    const m: Manager = {
      manager: e.manager, operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      set: decodeFieldsV1(e.fieldsV1),
    };
    if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
    if (typeof e.time === 'string') m.time = e.time;
    const id = managerId(m);
    const prev = out.get(id);
    if (prev) prev.set = prev.set.union(m.set);
    else out.set(id, m);
  }
  return out;
}

/** Encodes managers in upstream's order: Apply before Update, then by time, manager, version, subresource. */
export function encodeManagers(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  const entries = [...managers.values()].filter((m) => !m.set.isEmpty());
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  entries.sort((p, q) =>
    cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager) ||
    cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''));
  return entries.map((m) => {
    const e: ManagedFieldsEntry = {
      manager: m.manager, operation: m.operation, apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}), fieldsType: 'FieldsV1', fieldsV1: encodeFieldsV1(m.set),
    };
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Fields the server sets, which nobody owns (stripMetaManager). */
const STRIPPED: string[][] = [
  ['apiVersion'], ['kind'], ['metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields',
    'resourceVersion'].map((f) => ['metadata', f]),
].map((p) => p.map(fieldKey));

export function stripServerFields(set: FieldSet): FieldSet {
  const strip = new FieldSet();
  for (const p of STRIPPED) strip.insert(p);
  return set.difference(strip);
}

/** `obj` without metadata.managedFields, for comparing and merging. */
export function withoutManagedFields(obj: JSONObject): JSONObject {
  if (!isObject(obj.metadata) || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** `obj` with the given managedFields (none when empty), as a copy of its top and metadata. */
export function withManagedFields(obj: JSONObject, entries: ManagedFieldsEntry[]): JSONObject {
  const metadata: JSONObject = isObject(obj.metadata) ? { ...obj.metadata } : {};
  delete metadata.managedFields;
  if (entries.length) metadata.managedFields = entries as unknown as JSONValue[];
  return { ...obj, metadata };
}
