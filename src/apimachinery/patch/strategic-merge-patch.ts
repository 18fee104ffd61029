/**
 * @module Kubernetes strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch, apply side),
 * driven by the OpenAPI x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key metadata.
 */
import type { Schema, SchemaLookup } from '../../api/openapi/schema-types.js';
import { newBadRequest } from '../errors.js';
import {
  CUSTOM_RESOURCE_PATCH_TYPES, newUnknownError, newUnprocessable, newUnsupportedPatchType,
} from './errors.js';
import { clone, goFmt, goType, isObject, type JSONObject, type JSONValue } from './json.js';
import { applyMergePatch } from './merge-patch.js';
import { fieldSchema, itemSchema, patchMeta } from './schema-nav.js';

const DIRECTIVE = '$patch';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';
const RETAIN_KEYS = '$retainKeys';

// mergepatch's sentinel errors: the handler maps the first group to 400 and lists of lists to 422.
const ERR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';
const ERR_LIST_OF_LISTS = 'lists of lists are not supported';

export interface StrategicMergePatchOptions {
  schemas: SchemaLookup;
  apiVersion: string;
  kind: string;
  /** Custom resources have no strategic merge patch upstream: answer 415. */
  customResource?: boolean;
}

/**
 * Applies a strategic merge `patch` (the decoded request body) to a copy of `original`.
 * Kinds without a schema fall back to JSON merge patch. Throws 415 for custom resources, 400 for a
 * malformed patch or directive, 422 for lists of lists and 500 (upstream's plain Go errors) for
 * patches that do not fit the schema, such as a list item without its merge key.
 */
export function applyStrategicMergePatch(original: JSONObject, patch: unknown, opts: StrategicMergePatchOptions): JSONObject {
  if (opts.customResource) throw newUnsupportedPatchType(CUSTOM_RESOURCE_PATCH_TYPES);
  if (patch === null) return clone(original);
  if (!isObject(patch)) {
    throw newBadRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  }
  const schema = opts.schemas.forKind(opts.apiVersion, opts.kind);
  if (!schema) return applyMergePatch(original, patch) as JSONObject;
  return mergeMap(opts.schemas, clone(original), clone(patch), schema);
}

const noMergeKey = (m: JSONValue, key: string) =>
  newUnknownError(`map: ${goFmt(m)} does not contain declared merge key: ${key}`);
const badArgType = (expected: string, actual: JSONValue | undefined) =>
  newUnknownError(`expected a ${expected}, but received a ${goType(actual)}`);

/** Go's reflect kinds for decoded JSON: values of different kinds replace rather than merge. */
function kindOf(v: JSONValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

const isDirectiveKey = (k: string) =>
  k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`) || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`);

/**
 * A patch value taken as is (nothing to merge with): null members and directives are dropped, and a
 * map carrying `$patch` disappears, as upstream's discardNullValuesFromPatch + removeDirectives do.
 */
function stripDirectives(v: JSONValue): JSONValue | undefined {
  if (Array.isArray(v)) return v.flatMap((x) => { const s = stripDirectives(x); return s === undefined ? [] : [s]; });
  if (!isObject(v)) return v;
  if (DIRECTIVE in v) return undefined;
  const out: JSONObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || isDirectiveKey(k)) continue;
    const s = stripDirectives(x);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

function setOrDrop(target: JSONObject, key: string, v: JSONValue) {
  const s = stripDirectives(v);
  if (s === undefined) delete target[key];
  else target[key] = s;
}

/** The strategy besides retainKeys ('merge', 'replace' or ''), as extractRetainKeysPatchStrategy. */
const mainStrategy = (strategies: string[]) => strategies.find((s) => s !== 'retainKeys') ?? '';

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    throw newBadRequest(prefix === SET_ELEMENT_ORDER ? ERR_SET_ELEMENT_ORDER : ERR_PRIMITIVE_LIST);
  }
  return s.slice(slash + 1);
}

function mergeMap(lookup: SchemaLookup, original: JSONObject | undefined, patch: JSONObject, schema: Schema | undefined): JSONObject {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return stripDirectives(patch) as JSONObject;
    }
    if (directive === 'delete') return {};
    throw newUnknownError(`unknown patch type: ${goFmt(directive)} in map: ${goFmt(patch)}`);
  }
  const target = original ?? {};
  applyRetainKeys(target, patch);
  mergeSetElementOrder(lookup, target, patch, schema);

  // Deletions from primitive lists go after additions, so a list's own patch is merged first.
  const keys = Object.keys(patch);
  keys.sort((a, b) => Number(a.startsWith(DELETE_FROM_PRIMITIVE_LIST)) - Number(b.startsWith(DELETE_FROM_PRIMITIVE_LIST)));
  for (const k of keys) {
    const isDeleteList = k.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? extractKey(k, DELETE_FROM_PRIMITIVE_LIST) : k;
    const pv = patch[k];
    if (pv === null) {
      delete target[key];
      continue;
    }
    if (!(key in target) || kindOf(target[key]) !== kindOf(pv)) {
      if (!isDeleteList) setOrDrop(target, key, pv);
      continue;
    }
    const cur = target[key];
    const child = fieldSchema(lookup, schema, key);
    const { strategies, mergeKey } = patchMeta(child);
    const strategy = mainStrategy(strategies);
    if (isObject(cur) && strategy !== 'replace') {
      target[key] = mergeMap(lookup, cur, pv as JSONObject, child);
    } else if (Array.isArray(cur) && strategy === 'merge') {
      target[key] = mergeSlice(lookup, cur, pv as JSONValue[], itemSchema(lookup, child), mergeKey, isDeleteList);
    } else {
      setOrDrop(target, key, pv);
    }
  }
  return target;
}

/** `$retainKeys`: fields of the original not listed are cleared; the patch may only set listed ones. */
function applyRetainKeys(target: JSONObject, patch: JSONObject) {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw newBadRequest(ERR_RETAIN_KEYS);
  const keep = new Set<JSONValue>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw newBadRequest(ERR_RETAIN_KEYS);
  }
  for (const k of Object.keys(target)) if (!keep.has(k)) delete target[k];
}

function asList(v: JSONValue): JSONValue[] {
  if (!Array.isArray(v)) throw badArgType('[]interface {}', v);
  return v;
}

/**
 * `$setElementOrder/<field>`: merges the field's list now and orders it — the directive's order
 * first, then the patch's, then the live object's (preserve-order-in-strategic-merge-patch).
 */
function mergeSetElementOrder(lookup: SchemaLookup, target: JSONObject, patch: JSONObject, schema: Schema | undefined) {
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[k];
    delete patch[k];
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
    const key = extractKey(k, SET_ELEMENT_ORDER);
    const origList = key in target ? asList(target[key]) : undefined;
    const patchList = key in patch ? asList(patch[key]) : undefined;
    const child = fieldSchema(lookup, schema, key);
    const { strategies, mergeKey } = patchMeta(child);
    validatePatchWithSetOrderList(patchList ?? [], order, mergeKey);

    let merged: JSONValue[];
    if (origList && patchList) {
      merged = mainStrategy(strategies) === 'merge'
        ? mergeSlice(lookup, origList, patchList, itemSchema(lookup, child), mergeKey, false)
        : stripDirectives(patchList) as JSONValue[];
    } else if (patchList) {
      merged = stripDirectives(patchList) as JSONValue[];
    } else if (origList) {
      merged = origList;
    } else {
      continue;
    }
    const key2 = [...(origList ?? []), ...(patchList ?? [])].some(isObject) ? mergeKey : '';
    const [inOrder, serverOnly] = partition(merged, order, key2);
    target[key] = normalizeElementOrder(inOrder, serverOnly, order, origList ?? [], key2);
    delete patch[key];
  }
}

function mergeKeyValueEqual(left: JSONValue, right: JSONValue, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw badArgType('map[string]interface {}', left);
  if (!isObject(right)) throw badArgType('map[string]interface {}', right);
  if (!(mergeKey in left)) throw noMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** The patch list must list its items in the `$setElementOrder` list's relative order. */
function validatePatchWithSetOrderList(patchList: JSONValue[], order: JSONValue[], mergeKey: string) {
  if (!order.length || !patchList.length) return;
  const nonDelete = mergeKey
    ? patchList.filter((v) => {
      if (!isObject(v)) throw badArgType('map[string]interface {}', v);
      return v[DIRECTIVE] !== 'delete';
    })
    : patchList;
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < order.length) {
    const item = nonDelete[pi];
    if (isObject(item) && DIRECTIVE in item) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[si], mergeKey)) pi++;
    si++;
  }
  if (pi < nonDelete.length) {
    throw newUnknownError(`the order in patch list:\n${goFmt(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFmt(order)}`);
  }
}

/** The common kind of the elements of some lists; lists of lists and mixed kinds are errors. */
function elementKind(...lists: JSONValue[][]): string {
  let kind: string | undefined;
  for (const v of lists.flat()) {
    const k = kindOf(v);
    if (kind === undefined) {
      if (k === 'array') throw newUnprocessable(ERR_LIST_OF_LISTS);
      kind = k;
    } else if (k !== kind) {
      throw newUnknownError(`list element types are not identical: ${goFmt(lists)}`);
    }
  }
  return kind ?? 'none';
}

function mergeSlice(lookup: SchemaLookup, original: JSONValue[], patch: JSONValue[], item: Schema | undefined,
  mergeKey: string, isDeleteList: boolean): JSONValue[] {
  if (!original.length && !patch.length) return original;
  if (elementKind(original, patch) !== 'object') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    const merged = [...new Set([...original, ...patch])];
    const [inPatch, serverOnly] = partition(merged, patch, '');
    return normalizeElementOrder(inPatch, serverOnly, patch, original, '');
  }
  if (!mergeKey) throw newUnknownError('cannot merge lists without merge key for type map');
  const special = mergeSliceWithSpecialElements(original, patch, mergeKey);
  const merged = mergeSliceWithoutSpecialElements(lookup, special.original, special.patch, mergeKey, item);
  const [inPatch, serverOnly] = partition(merged, special.patch, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, special.patch, special.original, mergeKey);
}

const sameKey = (v: JSONValue, mergeKey: string, value: JSONValue) =>
  isObject(v) && mergeKey in v && v[mergeKey] === value;

/** Applies the `$patch` items of a merging list: delete by key, replace the whole list. */
function mergeSliceWithSpecialElements(original: JSONValue[], patch: JSONValue[], mergeKey: string) {
  let kept = original;
  const rest: JSONValue[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as JSONObject;
    if (!(DIRECTIVE in m)) {
      rest.push(v);
      continue;
    }
    switch (m[DIRECTIVE]) {
      case 'delete':
        if (!(mergeKey in m)) throw noMergeKey(m, mergeKey);
        kept = kept.filter((x) => !sameKey(x, mergeKey, m[mergeKey]));
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw newUnknownError('merging lists cannot yet be specified in the patch');
      default:
        throw newUnknownError(`unknown patch type: ${goFmt(m[DIRECTIVE])} in map: ${goFmt(m)}`);
    }
  }
  return replace ? { original: stripDirectives(rest) as JSONValue[], patch: [] } : { original: kept, patch: rest };
}

function mergeSliceWithoutSpecialElements(lookup: SchemaLookup, original: JSONValue[], patch: JSONValue[],
  mergeKey: string, item: Schema | undefined): JSONValue[] {
  // A copy: `original` keeps the live order that normalizeElementOrder needs.
  const out = [...original];
  for (const v of patch) {
    const m = v as JSONObject;
    if (!(mergeKey in m)) throw noMergeKey(m, mergeKey);
    const i = out.findIndex((x) => sameKey(x, mergeKey, m[mergeKey]));
    if (i >= 0) {
      out[i] = mergeMap(lookup, out[i] as JSONObject, m, item);
    } else {
      const s = stripDirectives(m);
      if (s !== undefined) out.push(s);
    }
  }
  return out;
}

/** Position of `v` in `list`: by merge key for maps, by value for primitives. */
function indexIn(list: JSONValue[], v: JSONValue, mergeKey: string): number {
  if (!mergeKey) return list.indexOf(v);
  const key = isObject(v) ? v[mergeKey] : undefined;
  return list.findIndex((x) => (isObject(x) ? x[mergeKey] : undefined) === key);
}

/** Splits `items` into those present in `by` and the rest, keeping their order. */
function partition(items: JSONValue[], by: JSONValue[], mergeKey: string): [JSONValue[], JSONValue[]] {
  const inBy: JSONValue[] = [];
  const rest: JSONValue[] = [];
  for (const v of items) {
    if (mergeKey) {
      if (!isObject(v)) throw badArgType('map[string]interface {}', v);
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
      if (by.some((x) => !isObject(x))) throw newUnknownError(`value for key ${by.findIndex((x) => !isObject(x))} is not a map.`);
    }
    (indexIn(by, v, mergeKey) >= 0 ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

/** Stable sort of `items` by their position in `order`. */
function sortByOrder(items: JSONValue[], order: JSONValue[], mergeKey: string): JSONValue[] {
  if (mergeKey) {
    for (const v of [...items, ...order]) {
      if (!isObject(v)) throw badArgType('map[string]interface {}', v);
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    }
  }
  const rank = (v: JSONValue) => { const i = indexIn(order, v, mergeKey); return i < 0 ? Infinity : i; };
  return items.map((v, i) => ({ v, i, r: rank(v) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.v);
}

/**
 * Orders a merged list: patch items in the patch's order, server-only items in the live order, the
 * two interleaved where the live order relates them (normalizeElementOrder + mergeSortedSlice).
 */
function normalizeElementOrder(patchItems: JSONValue[], serverOnly: JSONValue[], patchOrder: JSONValue[],
  serverOrder: JSONValue[], mergeKey: string): JSONValue[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey);
  const out: JSONValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
