/**
 * @module Decoding a response body that may be larger than one JavaScript string can be. A list
 * served from the watch cache at resourceVersion "0" comes in one piece (kube-apiserver ignores
 * limit there): 150,000 pods are over 512 MiB of JSON, past V8's string length limit, so such a
 * body is decoded item by item from its bytes instead of through one string.
 */
import type { Obj } from './client.js';

/** Bodies up to this many bytes are decoded as one string (V8's limit is about 2^29 characters). */
export const ONE_STRING_MAX_BYTES = 256 * 1024 * 1024;

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d, COMMA = 0x2c, COLON = 0x3a;

/** JSON.parse of a UTF-8 body; an object too large for one string is decoded with its "items" array element by element. */
export function parseBody(body: Buffer, oneStringMax = ONE_STRING_MAX_BYTES): Obj {
  if (body.length <= oneStringMax) return JSON.parse(body.toString('utf8')) as Obj;
  const items = findItems(body);
  if (!items) throw new Error(`a ${body.length}-byte response that is not a list is too large to decode`);
  const rest = JSON.parse(`${body.toString('utf8', 0, items.open + 1)}${body.toString('utf8', items.close)}`) as Obj;
  rest.items = items.elements.map(([s, e]) => JSON.parse(body.toString('utf8', s, e)));
  return rest;
}

/** Where the top-level "items" array's brackets and elements are (byte offsets), by one pass over the bytes. */
function findItems(b: Buffer): { open: number; close: number; elements: [number, number][] } | undefined {
  let depth = 0;
  let keyStart = -1;
  let lastKey = '';
  let open = -1;
  let elementStart = -1;
  const elements: [number, number][] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (open >= 0 && depth === 2 && elementStart < 0 && c > 0x20 && c !== COMMA && c !== CLOSE_BRACKET) elementStart = i;
    if (c === QUOTE) {
      const start = i;
      for (i++; b[i] !== QUOTE; i++) if (b[i] === BACKSLASH) i++;
      if (depth === 1 && open < 0) { keyStart = start; lastKey = b.toString('utf8', start + 1, i); }
      continue;
    }
    if (c === COLON) continue;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 1 && c === OPEN_BRACKET && open < 0 && keyStart >= 0 && lastKey === 'items') open = i;
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (open >= 0 && depth === 1) {
        if (elementStart >= 0) elements.push([elementStart, i]);
        return { open, close: i, elements };
      }
    } else if (c === COMMA && open >= 0 && depth === 2 && elementStart >= 0) {
      elements.push([elementStart, i]);
      elementStart = -1;
    }
  }
  return undefined;
}
