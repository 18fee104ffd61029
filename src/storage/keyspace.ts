/**
 * @module Key-range helpers shared by every backend: the end of a prefix range and the
 * continue token of a paginated list (the last key returned and the list's revision).
 */

/** The smallest string greater than every string starting with prefix; undefined if none. */
export function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return undefined;
}

export const hasPrefix = (key: string, prefix: string) => key.startsWith(prefix);

export interface ContinueToken {
  /** The last key already returned: the next page starts after it. */
  key: string;
  /** The revision the first page was read at; every page is read there. */
  revision: number;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ k: t.key, r: t.revision })).toString('base64url');
}

/** Throws a plain Error for a token this package did not make. */
export function decodeContinue(token: string): ContinueToken {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const o = raw as { k?: unknown; r?: unknown } | undefined;
  if (!o || typeof o.k !== 'string' || typeof o.r !== 'number' || !Number.isSafeInteger(o.r)) {
    throw new Error(`invalid continue token: ${token}`);
  }
  return { key: o.k, revision: o.r };
}
