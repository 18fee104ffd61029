/**
 * @module ObjectMeta bookkeeping the server owns: uid, names from generateName, timestamps,
 * and the resourceVersion carried by the store's revision rather than the stored bytes.
 */
import { randomUUID, randomInt } from 'node:crypto';
import type { KeyValue } from '../../storage/store.js';

// apiserver's names.SimpleNameGenerator alphabet: no vowels, no confusable characters.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffixLength = 5;
const maxGeneratedNameLength = 63 - randomSuffixLength;

export function generateName(base: string): string {
  let name = base.length > maxGeneratedNameLength ? base.slice(0, maxGeneratedNameLength) : base;
  for (let i = 0; i < randomSuffixLength; i++) name += alphabet[randomInt(alphabet.length)];
  return name;
}

export const newUID = () => randomUUID();

/** RFC 3339 at second precision, as metav1.Time serializes. */
export const nowRFC3339 = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export type Obj = Record<string, any>;

/** Decodes a stored version and stamps its resourceVersion from the store's revision. */
export function decodeKV(kv: KeyValue): Obj {
  const obj = JSON.parse(kv.value) as Obj;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** Serializes for the store: resourceVersion is never stored, the revision is its truth. */
export function encodeForStore(obj: Obj): string {
  dropEmptyMetadata(obj);
  const rv = obj.metadata?.resourceVersion;
  if (rv === undefined) return JSON.stringify(obj);
  delete obj.metadata.resourceVersion;
  try {
    return JSON.stringify(obj);
  } finally {
    obj.metadata.resourceVersion = rv;
  }
}

/**
 * ObjectMeta's maps and lists are omitempty upstream: removing the last label (`kubectl label x
 * k-`) leaves no `labels: {}` behind. Mutates `obj`.
 */
export function dropEmptyMetadata(obj: Obj): void {
  const meta = obj.metadata;
  if (!meta || typeof meta !== 'object') return;
  for (const k of ['labels', 'annotations'] as const) {
    const v = meta[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete meta[k];
  }
  for (const k of ['finalizers', 'ownerReferences', 'managedFields'] as const) {
    if (Array.isArray(meta[k]) && meta[k].length === 0) delete meta[k];
  }
}

/** Parses a client-given resourceVersion; undefined for "", NaN-safe. */
export function parseResourceVersion(rv: unknown): number | undefined {
  if (rv === undefined || rv === null || rv === '') return undefined;
  const n = Number(rv);
  return Number.isSafeInteger(n) && n >= 0 ? n : NaN;
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ak = Object.keys(a as object).filter((k) => (a as Obj)[k] !== undefined);
  const bk = Object.keys(b as object).filter((k) => (b as Obj)[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual((a as Obj)[k], (b as Obj)[k]));
}
