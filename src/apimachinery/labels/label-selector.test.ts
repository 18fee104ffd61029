/** @module Tests for metav1.LabelSelector conversion and its printed forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { formatLabelSelector, fromLabelSelector, selectorToString } from './label-selector.js';
import { formatLabels, matches } from './selector.js';

const cases: { name: string; ls: LabelSelector | null; labels: Record<string, string>; match: boolean; str: string; fmt: string }[] = [
  { name: 'a null selector matches nothing', ls: null, labels: {}, match: false, str: '', fmt: '<none>' },
  { name: 'an empty selector matches everything', ls: {}, labels: { a: 'b' }, match: true, str: '', fmt: '<none>' },
  { name: 'matchLabels become equality requirements ordered by key', ls: { matchLabels: { b: '2', a: '1' } },
    labels: { a: '1', b: '2' }, match: true, str: 'a=1,b=2', fmt: 'a=1,b=2' },
  { name: 'matchExpressions use set operators', ls: { matchExpressions: [
    { key: 'tier', operator: 'In', values: ['web', 'api'] }, { key: 'legacy', operator: 'DoesNotExist' }] },
    labels: { tier: 'api' }, match: true, str: '!legacy,tier in (api,web)', fmt: '!legacy,tier in (api,web)' },
  { name: 'labels and expressions combine', ls: { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
    labels: { app: 'x', env: 'dev' }, match: false, str: 'app=x,env notin (dev)', fmt: 'app=x,env notin (dev)' },
];

for (const c of cases) {
  test(c.name, () => {
    assert.equal(matches(fromLabelSelector(c.ls), c.labels), c.match);
    assert.equal(selectorToString(c.ls), c.str);
    assert.equal(formatLabelSelector(c.ls), c.fmt);
  });
}

test('an unknown operator is a bad request and prints as <error>', () => {
  const ls = { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] };
  assert.throws(() => fromLabelSelector(ls), /"Gt" is not a valid label selector operator/);
  assert.equal(formatLabelSelector(ls), '<error>');
});

test('an In expression without values is rejected with the upstream field error', () => {
  assert.throws(() => fromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    { message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty" });
});

test('formatLabels sorts keys and prints <none> for no labels', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels(undefined), '<none>');
});
