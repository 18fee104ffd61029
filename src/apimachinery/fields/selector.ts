/**
 * @module Field selectors as k8s.io/apimachinery/pkg/fields: `a=b,c!=d` with backslash escapes,
 * parsed, printed and matched against a flat field set.
 */
import { newBadRequest } from '../errors.js';

export type FieldOperator = '=' | '==' | '!=';
export interface FieldRequirement { readonly field: string; readonly operator: FieldOperator; readonly value: string }
/** An AND of field requirements; none selects everything. */
export interface FieldSelector { readonly requirements: readonly FieldRequirement[] }

/** Splits on commas not escaped by a backslash. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    if (inSlash) inSlash = false;
    else if (s[i] === '\\') inSlash = true;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator in the term, trying "!=" then "==" then "=" at each position. */
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** fields.UnescapeValue; the unescaped-rune error prints the code point, as Go's %v of a rune does. */
function unescapeValue(s: string): string {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw newBadRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw newBadRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw newBadRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

export const escapeValue = (s: string) => s.replace(/[\\,=]/g, (c) => `\\${c}`);

/**
 * fields.ParseSelector: syntax only (parseFieldSelector in index.ts adds the per-kind check).
 * Throws BadRequest, e.g. `invalid selector: 'a'; can't understand 'a'`. Terms come out sorted.
 */
export function parseFieldTerms(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw newBadRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    requirements.push({ field: t[0], operator: t[1], value: unescapeValue(t[2]) });
  }
  return { requirements };
}

/** Selector.String(): "==" prints as "=", values escaped. */
export const fieldSelectorString = (sel: FieldSelector) =>
  sel.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeValue(r.value)}`).join(',');

/** Selector.Matches on a field set; a missing field reads as "". */
export function matchesFieldSet(sel: FieldSelector, fields: Readonly<Record<string, string>>): boolean {
  return sel.requirements.every((r) => ((fields[r.field] ?? '') === r.value) !== (r.operator === '!='));
}
