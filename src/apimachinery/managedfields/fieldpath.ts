/**
 * @module Field sets (structured-merge-diff's fieldpath.Set) as a tree keyed by FieldsV1 path elements
 * — `f:name`, `k:{"name":"nginx"}`, `v:"x"`, `i:0` — with set algebra and the FieldsV1 encoding.
 */
import { isObject, type JSONObject, type JSONValue } from '../patch/json.js';

export class FieldSet {
  /** The path leading here is itself in the set (FieldsV1's `.`). */
  member = false;
  readonly children = new Map<string, FieldSet>();

  child(key: string): FieldSet {
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new FieldSet()));
    return c;
  }

  insert(path: string[]): void {
    let node: FieldSet = this;
    for (const k of path) node = node.child(k);
    node.member = true;
  }

  has(path: string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const k of path) node = node?.children.get(k);
    return node?.member ?? false;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Member paths, depth first in key order. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = this.member ? [prefix] : [];
    for (const k of [...this.children.keys()].sort()) out.push(...this.children.get(k)!.paths([...prefix, k]));
    return out;
  }

  union(other: FieldSet): FieldSet {
    return combine(this, other, (a, b) => a || b);
  }

  difference(other: FieldSet): FieldSet {
    return combine(this, other, (a, b) => a && !b);
  }

  intersection(other: FieldSet): FieldSet {
    return combine(this, other, (a, b) => a && b);
  }
}

function combine(a: FieldSet | undefined, b: FieldSet | undefined, op: (a: boolean, b: boolean) => boolean): FieldSet {
  const out = new FieldSet();
  out.member = op(a?.member ?? false, b?.member ?? false);
  const keys = new Set([...(a?.children.keys() ?? []), ...(b?.children.keys() ?? [])]);
  for (const k of keys) {
    const c = combine(a?.children.get(k), b?.children.get(k), op);
    if (!c.isEmpty()) out.children.set(k, c);
  }
  return out;
}

export const fieldKey = (name: string) => `f:${name}`;
export const valueKey = (v: JSONValue) => `v:${JSON.stringify(v)}`;
/** `k:` with the key fields in name order, as structured-merge-diff sorts them. */
export const keyedKey = (fields: JSONObject) =>
  `k:${JSON.stringify(Object.fromEntries(Object.keys(fields).sort().map((k) => [k, fields[k]])))}`;

/** FieldsV1 JSON of a set. */
export function encodeFieldsV1(set: FieldSet): JSONObject {
  const out: JSONObject = {};
  for (const k of [...set.children.keys()].sort()) {
    const c = set.children.get(k)!;
    if (c.isEmpty()) continue;
    const inner = encodeFieldsV1(c);
    if (c.member && Object.keys(inner).length > 0) out[k] = { '.': {}, ...inner };
    else out[k] = inner;
  }
  return out;
}

export function decodeFieldsV1(v: JSONValue | undefined): FieldSet {
  const set = new FieldSet();
  if (isObject(v)) decodeInto(set, v);
  return set;
}

function decodeInto(node: FieldSet, v: JSONObject) {
  for (const [k, child] of Object.entries(v)) {
    if (k === '.') {
      node.member = true;
      continue;
    }
    const c = node.child(k);
    // A key with no children is a leaf member; one with children is a member only with `.`.
    if (!isObject(child) || Object.keys(child).length === 0) c.member = true;
    else decodeInto(c, child);
  }
}

/** A path as fieldpath.Path.String() prints it: `.spec.containers[name="nginx"].image`. */
export function pathString(path: string[]): string {
  return path.map((k) => {
    const rest = k.slice(2);
    switch (k.slice(0, 2)) {
      case 'f:': return `.${rest}`;
      case 'k:': {
        const fields = JSON.parse(rest) as JSONObject;
        return `[${Object.entries(fields).map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
      }
      case 'v:': return `[=${valueString(JSON.parse(rest) as JSONValue)}]`;
      default: return `[${rest}]`;
    }
  }).join('');
}

/** value.ToString: strings quoted, other scalars bare, composites as JSON. */
const valueString = (v: JSONValue) =>
  v === null ? 'null' : typeof v === 'object' || typeof v === 'string' ? JSON.stringify(v) : String(v);
