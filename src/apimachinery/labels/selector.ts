/**
 * @module Label selectors as k8s.io/apimachinery/pkg/labels: requirements, matching and the
 * canonical string form. Parsing of the string syntax lives in parse.ts.
 */
import { newBadRequest } from '../errors.js';
import { aggregate, invalidField, isQualifiedName, isValidLabelValue } from './validation.js';

/** selection.Operator values, spelled as upstream spells them. */
export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
export const binaryOperators: Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/** An AND of requirements. `nothing` is labels.Nothing(): it matches no object at all. */
export interface Selector {
  readonly requirements: readonly Requirement[];
  readonly nothing?: true;
}

export type Labels = Readonly<Record<string, string>> | undefined | null;

export const everything = (): Selector => ({ requirements: [] });
export const nothing = (): Selector => ({ requirements: [], nothing: true });

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** strconv.ParseInt(s, 10, 64), or undefined. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

function validateKey(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalidField(path, key, errs.join('; ')) : undefined;
}

/**
 * labels.NewRequirement: returns the error messages (empty when valid). `path` is the field path
 * prefix; upstream passes none from the parser, so keys print as "key" and values as "values[i][key]".
 */
export function requirementErrors(key: string, op: Operator, values: readonly string[], path = ''): string[] {
  const child = (name: string) => (path ? `${path}.${name}` : name);
  const errs: string[] = [];
  const keyErr = validateKey(key, child('key'));
  if (keyErr) errs.push(keyErr);
  const valuePath = child('values');
  switch (op) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(invalidField(valuePath, [...values], "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(invalidField(valuePath, [...values], 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(invalidField(valuePath, [...values], 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(invalidField(valuePath, [...values], "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidField(`${valuePath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(invalidField(`${valuePath}[${i}][${key}]`, v, msgs.join('; ')));
  });
  return errs;
}

/** A validated requirement; throws BadRequest with the aggregated field errors. */
export function newRequirement(key: string, op: Operator, values: readonly string[]): Requirement {
  const errs = requirementErrors(key, op, values);
  if (errs.length) throw newBadRequest(aggregate(errs));
  return { key, operator: op, values: [...values] };
}

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case 'in': case '=': case '==':
      return has && r.values.includes(value!);
    case 'notin': case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt': case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const got = parseInt64(value!);
      const want = parseInt64(r.values[0]);
      if (got === undefined || want === undefined) return false;
      return r.operator === 'gt' ? got > want : got < want;
    }
  }
}

/** Selector.Matches: every requirement holds (labels.Nothing() matches nothing). */
export function matches(selector: Selector, labels: Labels): boolean {
  if (selector.nothing) return false;
  return selector.requirements.every((r) => requirementMatches(r, labels));
}

export const isEmpty = (selector: Selector) => !selector.nothing && selector.requirements.length === 0;

const opText: Partial<Record<Operator, string>> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<' };

export function requirementString(r: Requirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  // Values print sorted without reordering the requirement itself (upstream's safeSort).
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${opText[r.operator]}${set ? `(${values})` : values}`;
}

/** Selector.String(): requirements joined by ","; "" for both everything and nothing. */
export const selectorString = (selector: Selector) =>
  selector.nothing ? '' : selector.requirements.map(requirementString).join(',');

/** Selector.Add: appends and keeps requirements ordered by key, as upstream does. */
export function addRequirements(selector: Selector, ...reqs: Requirement[]): Selector {
  if (selector.nothing) return selector;
  const all = [...selector.requirements, ...reqs];
  all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requirements: all };
}

/** labels.FormatLabels: "k=v,k2=v2" sorted by key, or "<none>". */
export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}
