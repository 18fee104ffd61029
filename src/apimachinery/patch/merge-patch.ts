/**
 * @module RFC 7386 JSON Merge Patch as kube-apiserver applies it (evanphx/json-patch MergePatch):
 * null deletes, objects merge, anything else replaces; nulls inside new values are dropped.
 */
import { newBadRequest } from '../errors.js';
import { clone, isObject, type JSONObject, type JSONValue } from './json.js';

/**
 * Applies a merge `patch` (the decoded request body) to a copy of `doc`. Throws 400 "Invalid JSON
 * Patch" when the body is null or a scalar, as upstream does; an array body replaces the document.
 */
export function applyMergePatch(doc: JSONValue, patch: unknown): JSONValue {
  if (Array.isArray(patch)) return pruneNulls(clone(patch));
  if (!isObject(patch)) throw newBadRequest('Invalid JSON Patch');
  if (!isObject(doc)) return pruneNulls(clone(patch));
  return mergeObjects(clone(doc), patch);
}

/** Merges `patch` into `target` in place and returns it. */
export function mergeObjects(target: JSONObject, patch: JSONObject): JSONObject {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete target[k];
      continue;
    }
    const cur = target[k];
    if (isObject(cur) && isObject(v)) mergeObjects(cur, v);
    // Upstream prunes nulls only when the current value is not an object.
    else target[k] = isObject(cur) ? clone(v) : pruneNulls(clone(v));
  }
  return target;
}

/** Drops null members of objects, at any depth (array elements that are null stay). */
function pruneNulls(v: JSONValue): JSONValue {
  if (Array.isArray(v)) v.forEach(pruneNulls);
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  }
  return v;
}
