/**
 * @module Schema-aware walks over objects (structured-merge-diff's typed package): the field set of a
 * value, the comparison of two values, apply's merge and prune. Lists merge as the schema says
 * (x-kubernetes-list-type, else the patch merge key as upstream's schema conversion does).
 */
import type { Schema, SchemaLookup } from '../../api/openapi/schema-types.js';
import { deepEqual, isObject, type JSONObject, type JSONValue } from '../patch/json.js';
import { fieldSchema, itemSchema, patchMeta } from '../patch/schema-nav.js';
import { fieldKey, FieldSet, keyedKey, valueKey } from './fieldpath.js';

type ListType = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

/** How a list's items are identified; without metadata a list is atomic (replaced whole). */
export function listTypeOf(s: Schema | undefined): ListType {
  const declared = s?.['x-kubernetes-list-type'];
  const { strategies, mergeKey } = patchMeta(s);
  if (declared === 'map') return { type: 'map', keys: s?.['x-kubernetes-list-map-keys'] ?? (mergeKey ? [mergeKey] : []) };
  if (declared === 'set') return { type: 'set' };
  if (declared === 'atomic') return { type: 'atomic' };
  if (strategies.includes('merge')) return mergeKey ? { type: 'map', keys: [mergeKey] } : { type: 'set' };
  return { type: 'atomic' };
}

/**
 * Defaults of list-map key fields that upstream's OpenAPI declares (`protocol` of every ports list
 * defaults to TCP); used when the schema at hand carries no default, so that an applied port
 * without a protocol still matches the defaulted live one.
 */
const KEY_FIELD_DEFAULTS: Record<string, JSONValue> = { protocol: 'TCP' };

const isAtomicMap = (s: Schema | undefined) => s?.['x-kubernetes-map-type'] === 'atomic';
/** A declared struct field, as opposed to an entry of a map (labels) or of a schemaless object. */
const isDeclared = (s: Schema | undefined, key: string) => !!s?.properties && key in s.properties;
/** A map (string keys to values) rather than a struct: its added entries own the map itself too. */
const isMapLike = (s: Schema | undefined) => !s?.properties;

export class Typed {
  constructor(private readonly lookup: SchemaLookup) {}

  /** The path element of a list item. */
  itemKey(lt: ListType, item: JSONValue, index: number, is: Schema | undefined): string {
    if (lt.type === 'set') return valueKey(item);
    if (lt.type === 'map' && isObject(item)) {
      const fields: JSONObject = {};
      for (const k of lt.keys) {
        // A key field left out takes its schema default (ports' protocol: TCP), as upstream does.
        const v = item[k] ?? (fieldSchema(this.lookup, is, k)?.default as JSONValue | undefined) ?? KEY_FIELD_DEFAULTS[k];
        if (v !== undefined) fields[k] = v;
      }
      return keyedKey(fields);
    }
    return `i:${index}`;
  }

  /** Whether a value has children that are tracked separately (a granular object or list). */
  private granular(v: JSONValue | undefined, s: Schema | undefined): 'object' | 'list' | undefined {
    if (isObject(v) && Object.keys(v).length > 0 && !isAtomicMap(s)) return 'object';
    if (Array.isArray(v) && listTypeOf(s).type !== 'atomic') return 'list';
    return undefined;
  }

  /**
   * The fields a value sets (typed.ToFieldSet): scalars, atomic values, null and empty objects, list
   * items, and entries of maps. With `added`, map-like objects own themselves too (compare's view).
   */
  fieldSet(v: JSONValue, s: Schema | undefined, into = new FieldSet(), added = false): FieldSet {
    if (isObject(v)) {
      if (isAtomicMap(s)) into.member = true;
      else this.objectFields(v, s, into, added);
    } else if (Array.isArray(v)) {
      const lt = listTypeOf(s);
      if (lt.type === 'atomic') into.member = true;
      else {
        const is = itemSchema(this.lookup, s);
        v.forEach((item, i) => {
          const c = into.child(this.itemKey(lt, item, i, is));
          this.fieldSet(item, is, c, added);
          c.member = true;
        });
      }
    } else {
      into.member = true;
    }
    return into;
  }

  private objectFields(v: JSONObject, s: Schema | undefined, into: FieldSet, added: boolean) {
    if (added && isMapLike(s) && Object.keys(v).length > 0) into.member = true;
    for (const [k, val] of Object.entries(v)) {
      const c = into.child(fieldKey(k));
      this.fieldSet(val, fieldSchema(this.lookup, s, k), c, added);
      if (val === null || (isObject(val) && Object.keys(val).length === 0) || !isDeclared(s, k)) c.member = true;
    }
  }

  /** Fields added, modified and removed from `oldV` to `newV` (typed.Compare). */
  compare(oldV: JSONValue, newV: JSONValue, s: Schema | undefined): Comparison {
    const cmp = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
    this.compareAt(oldV, newV, s, cmp.added, cmp.modified, cmp.removed, false);
    return cmp;
  }

  private compareAt(o: JSONValue | undefined, n: JSONValue | undefined, s: Schema | undefined,
    added: FieldSet, modified: FieldSet, removed: FieldSet, own: boolean): void {
    const go = this.granular(o, s);
    const gn = this.granular(n, s);
    if (o !== undefined && n !== undefined && go && go === gn) {
      this.compareChildren(o, n, s, added, modified, removed);
      return;
    }
    if (o !== undefined && n !== undefined && !go && !gn) {
      if (!deepEqual(o, n)) modified.member = true;
      return;
    }
    if (o !== undefined && n !== undefined) modified.member = true;
    if (o !== undefined) this.addedOrRemoved(o, s, removed, own);
    if (n !== undefined) this.addedOrRemoved(n, s, added, own);
  }

  /** A whole subtree appearing or disappearing: all its fields, and the node itself when it owns itself. */
  private addedOrRemoved(v: JSONValue, s: Schema | undefined, into: FieldSet, own: boolean) {
    this.fieldSet(v, s, into, true);
    if (own) into.member = true;
  }

  private compareChildren(o: JSONValue, n: JSONValue, s: Schema | undefined,
    added: FieldSet, modified: FieldSet, removed: FieldSet) {
    const step = (key: string, ov: JSONValue | undefined, nv: JSONValue | undefined, cs: Schema | undefined, own: boolean) => {
      const a = new FieldSet(); const m = new FieldSet(); const r = new FieldSet();
      this.compareAt(ov, nv, cs, a, m, r, own);
      if (!a.isEmpty()) added.children.set(key, a);
      if (!m.isEmpty()) modified.children.set(key, m);
      if (!r.isEmpty()) removed.children.set(key, r);
    };
    if (isObject(o) && isObject(n)) {
      for (const k of new Set([...Object.keys(o), ...Object.keys(n)])) {
        const cs = fieldSchema(this.lookup, s, k);
        // A null or empty value is a leaf, so it owns itself; so do map entries.
        const leafish = (v: JSONValue | undefined) => v === null || (isObject(v) && Object.keys(v).length === 0);
        step(fieldKey(k), o[k], n[k], cs, !isDeclared(s, k) || leafish(o[k]) || leafish(n[k]));
      }
      return;
    }
    const lt = listTypeOf(s);
    const is = itemSchema(this.lookup, s);
    const index = (list: JSONValue[]) => {
      const m = new Map<string, JSONValue>();
      list.forEach((item, i) => { const k = this.itemKey(lt, item, i, is); if (!m.has(k)) m.set(k, item); });
      return m;
    };
    const oi = index(o as JSONValue[]);
    const ni = index(n as JSONValue[]);
    for (const k of new Set([...oi.keys(), ...ni.keys()])) step(k, oi.get(k), ni.get(k), is, true);
  }

  /** Apply's merge (typed.Merge): `config` wins; granular objects and lists merge by key. */
  merge(live: JSONValue | undefined, config: JSONValue | undefined, s: Schema | undefined): JSONValue | undefined {
    if (config === undefined) return live;
    if (live === undefined) return config;
    if (isObject(live) && isObject(config) && !isAtomicMap(s)) {
      const out: JSONObject = { ...live };
      for (const [k, v] of Object.entries(config)) {
        out[k] = this.merge(live[k], v, fieldSchema(this.lookup, s, k)) as JSONValue;
      }
      return out;
    }
    if (Array.isArray(live) && Array.isArray(config) && listTypeOf(s).type !== 'atomic') {
      return this.mergeList(live, config, listTypeOf(s), itemSchema(this.lookup, s));
    }
    return config;
  }

  /**
   * Merges list items by key, keeping live-only items where they are and the config's order for the
   * rest (structured-merge-diff's mergingWalker.visitListItems).
   */
  private mergeList(lhs: JSONValue[], rhs: JSONValue[], lt: ListType, is: Schema | undefined): JSONValue[] {
    const lk = lhs.map((v, i) => this.itemKey(lt, v, i, is));
    const rk = rhs.map((v, i) => this.itemKey(lt, v, i, is));
    const lByKey = new Map<string, JSONValue>();
    lk.forEach((k, i) => { if (!lByKey.has(k)) lByKey.set(k, lhs[i]); });
    const rByKey = new Map<string, JSONValue>();
    rk.forEach((k, i) => { if (!rByKey.has(k)) rByKey.set(k, rhs[i]); });
    const shared = rk.filter((k) => lByKey.has(k));
    let nextShared = 0;
    const merged = new Set<string>();
    const out: JSONValue[] = [];
    const take = (k: string) => {
      merged.add(k);
      out.push(this.merge(lByKey.get(k), rByKey.get(k), is) as JSONValue);
      if (shared[nextShared] === k) nextShared++;
    };
    let li = 0;
    let ri = 0;
    while (li < lk.length || ri < rk.length) {
      if (li < lk.length && ri < rk.length) {
        if (lk[li] === rk[ri]) {
          take(lk[li]);
          li++;
          ri++;
          continue;
        }
        // A shared item that the config places later: skip it here, it comes with its config position.
        if (rByKey.has(lk[li]) && nextShared < shared.length && shared[nextShared] !== lk[li]) {
          li++;
          continue;
        }
      }
      if (li < lk.length) {
        if (!rByKey.has(lk[li])) {
          out.push(lhs[li]);
          li++;
          continue;
        }
        if (merged.has(lk[li])) {
          li++;
          continue;
        }
      }
      if (ri < rk.length) {
        if (!merged.has(rk[ri])) take(rk[ri]);
        ri++;
      }
    }
    return out;
  }

  /**
   * Removes from `v` the fields in `toRemove` that nobody in `owned` holds (apply's prune). An item or
   * object kept for an owned descendant keeps its key fields; a struct emptied by pruning goes too.
   */
  prune(v: JSONValue, s: Schema | undefined, toRemove: FieldSet, owned: FieldSet | undefined, keep: string[] = []): JSONValue {
    if (isObject(v)) {
      const out: JSONObject = { ...v };
      for (const [k, val] of Object.entries(v)) {
        const r = toRemove.children.get(fieldKey(k));
        if (!r || keep.includes(k)) continue;
        const o = owned?.children.get(fieldKey(k));
        if (r.member && (!o || o.isEmpty())) {
          delete out[k];
          continue;
        }
        const pruned = this.prune(val, fieldSchema(this.lookup, s, k), r, o);
        const emptied = isObject(pruned) && Object.keys(pruned).length === 0 && isObject(val) && Object.keys(val).length > 0;
        if (emptied && (!o || o.isEmpty())) delete out[k];
        else out[k] = pruned;
      }
      return out;
    }
    if (Array.isArray(v)) {
      const lt = listTypeOf(s);
      if (lt.type === 'atomic') return v;
      const is = itemSchema(this.lookup, s);
      const keys = lt.type === 'map' ? lt.keys : [];
      return v.flatMap((item, i) => {
        const k = this.itemKey(lt, item, i, is);
        const r = toRemove.children.get(k);
        if (!r) return [item];
        const o = owned?.children.get(k);
        if (r.member && (!o || o.isEmpty())) return [];
        return [this.prune(item, is, r, o, keys)];
      });
    }
    return v;
  }
}

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }
