/**
 * @module RFC 6902 JSON Patch as kube-apiserver applies it (gopkg.in/evanphx/json-patch.v4): same
 * operations, quirks and error texts; failures are 422 with the library's message as the cause.
 */
import { newBadRequest, newRequestEntityTooLarge } from '../errors.js';
import { newUnprocessable } from './errors.js';
import { clone, deepEqual, isObject, type JSONObject, type JSONValue } from './json.js';

/** Upstream's cap on operations in one patch (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * Applies `patch` (the decoded request body) to a copy of `doc` and returns the result.
 * Throws 400 when the body is not a list of operations, 413 above 10000 operations and 422 when an
 * operation does not apply (a failed `test` included), worded as upstream.
 */
export function applyJSONPatch(doc: JSONValue, patch: unknown): JSONValue {
  if (!Array.isArray(patch)) throw newBadRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch`);
  const bad = patch.find((op) => op !== null && !isObject(op));
  if (bad !== undefined) throw newBadRequest(`json: cannot unmarshal ${jsonKind(bad)} into Go value of type jsonpatch.Operation`);
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw newRequestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  const root: { doc: JSONValue } = { doc: clone(doc) };
  for (const op of patch as (JSONObject | null)[]) {
    try {
      applyOperation(root, op ?? {});
    } catch (e) {
      if (e instanceof PatchError) throw newUnprocessable(e.message);
      throw e;
    }
  }
  return root.doc;
}

class PatchError extends Error {}
const fail = (message: string): never => { throw new PatchError(message); };
const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** An object or array holding the target of a pointer, with the library's per-container semantics. */
interface Container {
  get(key: string): JSONValue | undefined;
  set(key: string, v: JSONValue): void;
  add(key: string, v: JSONValue): void;
  remove(key: string): void;
}

function objectContainer(o: JSONObject): Container {
  return {
    // A missing member reads as "no value", not an error: replace and test rely on that quirk.
    get: (k) => o[k],
    set: (k, v) => { o[k] = v; },
    add: (k, v) => { o[k] = v; },
    remove: (k) => {
      if (!(k in o)) fail(`Unable to remove nonexistent key: ${k}: ${MISSING}`);
      delete o[k];
    },
  };
}

/** strconv.Atoi: optional sign, decimal digits. */
function atoi(key: string): number {
  if (!/^[+-]?\d+$/.test(key)) fail(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  return Number(key);
}

function arrayContainer(a: JSONValue[]): Container {
  // Negative indices count from the end, as the library allows by default.
  const existing = (key: string) => {
    let i = atoi(key);
    if (i < -a.length || i >= a.length) fail(`Unable to access invalid index: ${i}: ${INVALID_INDEX}`);
    if (i < 0) i += a.length;
    return i;
  };
  return {
    get: (k) => a[existing(k)],
    set: (k, v) => { a[existing(k)] = v; },
    add: (k, v) => {
      if (k === '-') { a.push(v); return; }
      if (!/^[+-]?\d+$/.test(k)) fail(`value was not a proper array index: '${k}': strconv.Atoi: parsing ${JSON.stringify(k)}: invalid syntax`);
      let i = Number(k);
      if (i > a.length || i < -(a.length + 1)) fail(`Unable to access invalid index: ${i}: ${INVALID_INDEX}`);
      if (i < 0) i += a.length + 1;
      a.splice(i, 0, v);
    },
    remove: (k) => { a.splice(existing(k), 1); },
  };
}

const decodeToken = (t: string) => t.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));

/** The container of a pointer's target and the target's key, or undefined when the parent is missing. */
function findObject(root: JSONValue, path: string): { con: Container; key: string } | undefined {
  const tokens = path.split('/');
  if (tokens.length < 2) return undefined;
  let cur: JSONValue = root;
  for (const raw of tokens.slice(1, -1)) {
    const token = decodeToken(raw);
    let next: JSONValue | undefined;
    try {
      next = containerOf(cur)?.get(token);
    } catch (e) {
      if (e instanceof PatchError) return undefined;
      throw e;
    }
    if (next === undefined || next === null || typeof next !== 'object') return undefined;
    cur = next;
  }
  const con = containerOf(cur);
  return con && { con, key: decodeToken(tokens[tokens.length - 1]) };
}

const containerOf = (v: JSONValue): Container | undefined =>
  Array.isArray(v) ? arrayContainer(v) : isObject(v) ? objectContainer(v) : undefined;

function applyOperation(root: { doc: JSONValue }, op: JSONObject): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  const path = typeof op.path === 'string' ? op.path : undefined;
  const from = typeof op.from === 'string' ? op.from : undefined;
  // An absent value behaves as null, as the library's nil node does.
  const value = op.value === undefined ? null : clone(op.value);
  const missingPath = `operation missing path field: ${MISSING}`;
  const missingFrom = `operation, missing from field: ${MISSING}`;
  const at = (p: string) => findObject(root.doc, p);
  const wrap = (prefix: string, fn: () => void) => {
    try { fn(); } catch (e) { if (e instanceof PatchError) fail(`${prefix}${e.message}`); throw e; }
  };

  switch (kind) {
    case 'add': {
      if (path === undefined) return fail(`add operation failed to decode path: ${MISSING}`);
      const t = at(path) ?? fail(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      return wrap(`error in add for path: '${path}': `, () => t.con.add(t.key, value));
    }
    case 'remove': {
      if (path === undefined) return fail(`remove operation failed to decode path: ${MISSING}`);
      const t = at(path) ?? fail(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      return wrap(`error in remove for path: '${path}': `, () => t.con.remove(t.key));
    }
    case 'replace': {
      if (path === undefined) return fail(`replace operation failed to decode path: ${missingPath}`);
      if (path === '') {
        if (value === null || typeof value !== 'object') fail('replace operation value must be object or array');
        root.doc = value;
        return;
      }
      const t = at(path) ?? fail(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
      try { t.con.get(t.key); } catch (e) {
        if (e instanceof PatchError) fail(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
        throw e;
      }
      return t.con.set(t.key, value);
    }
    case 'move': {
      if (from === undefined) return fail(`move operation failed to decode from: ${missingFrom}`);
      const src = at(from) ?? fail(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let moved: JSONValue | undefined;
      wrap(`error in move for path: '${src.key}': `, () => { moved = src.con.get(src.key); src.con.remove(src.key); });
      if (path === undefined) return fail(`move operation failed to decode path: ${missingPath}`);
      const dst = at(path) ?? fail(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      return wrap(`error in move for path: '${path}': `, () => dst.con.add(dst.key, moved ?? null));
    }
    case 'copy': {
      if (from === undefined) return fail(`copy operation failed to decode from: ${missingFrom}`);
      const src = at(from) ?? fail(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let copied: JSONValue | undefined;
      wrap(`error in copy for from: '${from}': `, () => { copied = src.con.get(src.key); });
      if (path === undefined) return fail(`copy operation failed to decode path: ${MISSING}`);
      const dst = at(path) ?? fail(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      return wrap('error while adding value during copy: ', () => dst.con.add(dst.key, clone(copied ?? null)));
    }
    case 'test': {
      if (path === undefined) return fail(`test operation failed to decode path: ${missingPath}`);
      let actual: JSONValue | undefined = root.doc;
      if (path !== '') {
        const t = at(path) ?? fail(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
        wrap(`error in test for path: '${path}': `, () => { actual = t.con.get(t.key); });
      }
      // A missing member equals an absent or null value, as in the library.
      const same = actual === undefined || actual === null ? value === null : deepEqual(actual, value);
      if (!same) fail(`testing value ${path} failed: test failed`);
      return;
    }
    default:
      fail(`Unexpected kind: ${kind}`);
  }
}
