/**
 * @module Pod-template hashing as upstream's controller.ComputeHash: FNV-32a over the template
 * (here its canonical JSON, where upstream feeds a Go struct dump) plus collisionCount, rendered
 * in the safe-encoding alphabet of rand.SafeEncodeString (no vowels, no 0/1/3: no bad words).
 */

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over bytes; `seed` continues a running hash (hash.Hash32.Write). */
export function fnv32a(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, FNV32_PRIME) >>> 0;
  return h;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte of s mapped into ALPHANUMS by its value modulo 27. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += ALPHANUMS[b % ALPHANUMS.length];
  return out;
}

/** JSON with object keys sorted, so equal templates hash equally whatever their key order. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJSON(x === undefined ? null : x)).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The value with nulls, empty objects and empty arrays removed, recursively: what Go's semantic
 * equality sees of a decoded struct (kubectl sends `creationTimestamp: null`, `resources: {}`).
 */
export function pruneEmpty(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(pruneEmpty).filter((x) => x !== undefined);
    return out.length ? out : undefined;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = pruneEmpty(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}

/**
 * The pod-template-hash of a template (empty members pruned, as Go's struct encoding ignores them): FNV-32a of its canonical JSON, then (when collisionCount
 * is set) its value as 8 little-endian bytes, as upstream writes it; the decimal sum, safe-encoded.
 */
export function computeHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv32a(Buffer.from(canonicalJSON(pruneEmpty(template) ?? {}), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
