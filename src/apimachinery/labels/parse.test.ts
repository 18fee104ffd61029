/** @module Tests for the label selector parser: accepted syntax, canonical strings, upstream errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector } from './parse.js';
import { matches, selectorString } from './selector.js';
import { StatusError } from '../errors.js';

const nameRegex = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const valid: { name: string; input: string; want: string }[] = [
  { name: 'an empty string selects everything', input: '', want: '' },
  { name: 'equality forms keep their operator', input: 'a=b,c==d,e!=f', want: 'a=b,c==d,e!=f' },
  { name: 'requirements are ordered by key', input: 'z=1,a=2', want: 'a=2,z=1' },
  { name: 'set values are sorted and deduplicated', input: 'env in (prod, dev,prod)', want: 'env in (dev,prod)' },
  { name: 'notin, exists and does-not-exist', input: 'x notin (a),y,!z', want: 'x notin (a),y,!z' },
  { name: 'greater and less than take integers', input: 'a>1,b<2', want: 'a>1,b<2' },
  { name: 'an empty set means the empty value', input: 'a in ()', want: 'a in ()' },
  { name: 'empty members count as the empty value', input: 'a in (,b)', want: 'a in (,b)' },
  { name: 'an exact match may have an empty value', input: 'a=', want: 'a=' },
  { name: 'the words in and notin are values after an operator', input: 'a=in,b in (notin)', want: 'a=in,b in (notin)' },
  { name: 'prefixed keys are accepted', input: 'app.kubernetes.io/name=web', want: 'app.kubernetes.io/name=web' },
];

for (const c of valid) {
  test(c.name, () => assert.equal(selectorString(parseSelector(c.input)), c.want));
}

const invalid: { name: string; input: string; message: string }[] = [
  { name: 'two identifiers without an operator', input: 'a b', message: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" },
  { name: 'a colon inside a key', input: 'app:monolith', message: `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${nameRegex}` },
  { name: 'a leading comma', input: ',a', message: "found ',', expected: !, identifier, or 'end of string'" },
  { name: 'a trailing comma', input: 'a,', message: "found '', expected: identifier after ','" },
  { name: 'a value after a negation', input: '!a=b', message: "found '=', expected: ',' or 'end of string'" },
  { name: 'a set without parentheses', input: 'a in b', message: "unable to parse requirement: found 'b' expected: '('" },
  { name: 'an unclosed set', input: 'a in (b', message: "unable to parse requirement: found '', expected: ',' or ')'" },
  { name: 'a non-integer for gt', input: 'a>b', message: `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer` },
  { name: 'too many slashes in a key', input: 'a/b/c=d', message: `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')` },
  { name: 'an invalid value', input: 'a=-b', message: `unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')` },
];

for (const c of invalid) {
  test(`rejects ${c.name}`, () => {
    assert.throws(() => parseSelector(c.input), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 400);
      assert.equal(e.reason, 'BadRequest');
      assert.equal(e.message, c.message);
      return true;
    });
  });
}

const matching: { name: string; selector: string; labels: Record<string, string> | undefined; want: boolean }[] = [
  { name: 'equality matches the same value', selector: 'a=b', labels: { a: 'b' }, want: true },
  { name: 'equality needs the key', selector: 'a=b', labels: {}, want: false },
  { name: 'inequality matches a missing key', selector: 'a!=b', labels: undefined, want: true },
  { name: 'in matches any listed value', selector: 'a in (x,y)', labels: { a: 'y' }, want: true },
  { name: 'notin matches a missing key', selector: 'a notin (x)', labels: { b: 'x' }, want: true },
  { name: 'notin rejects a listed value', selector: 'a notin (x)', labels: { a: 'x' }, want: false },
  { name: 'exists ignores the value', selector: 'a', labels: { a: '' }, want: true },
  { name: 'does-not-exist rejects the key', selector: '!a', labels: { a: '1' }, want: false },
  { name: 'gt compares as integers', selector: 'a>9', labels: { a: '10' }, want: true },
  { name: 'lt fails on a non-integer label', selector: 'a<9', labels: { a: 'x' }, want: false },
  { name: 'all requirements must hold', selector: 'a=1,b=2', labels: { a: '1', b: '3' }, want: false },
  { name: 'the empty selector matches anything', selector: '', labels: undefined, want: true },
];

for (const c of matching) {
  test(c.name, () => assert.equal(matches(parseSelector(c.selector), c.labels), c.want));
}
