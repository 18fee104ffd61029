/**
 * @module $(VAR) expansion: the cases of Kubernetes' expansion_test.go that matter to pods.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expand, mappingFuncFor } from './expansion.js';

const vars = new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['VAR_C', 'C'], ['VAR_REF', '$(VAR_A)'], ['VAR_EMPTY', '']]);
const mapping = mappingFuncFor(vars);

const cases: { name: string; input: string; want: string }[] = [
  { name: 'a whole reference', input: '$(VAR_A)', want: 'A' },
  { name: 'references inside text', input: '___$(VAR_B)___$(VAR_C)', want: '___B___C' },
  { name: 'a reference to an empty value', input: 'x$(VAR_EMPTY)y', want: 'xy' },
  { name: 'an unknown reference stays as written', input: 'foo $(VAR_NOPE) bar', want: 'foo $(VAR_NOPE) bar' },
  { name: '$$ escapes a reference', input: '$$(VAR_A)', want: '$(VAR_A)' },
  { name: '$$$ escapes then expands', input: '$$$(VAR_A)', want: '$A' },
  { name: 'an unclosed reference stays', input: '$(VAR_A', want: '$(VAR_A' },
  { name: 'a $ not followed by ( stays', input: 'cost $5', want: 'cost $5' },
  { name: 'a trailing $ stays', input: 'end$', want: 'end$' },
  { name: 'a value is not expanded again', input: '$(VAR_REF)', want: '$(VAR_A)' },
  { name: 'an empty reference', input: '$()', want: '$()' },
  { name: 'unicode around references', input: 'é$(VAR_A)ü$é', want: 'éAü$é' },
];

for (const c of cases) test(c.name, () => assert.equal(expand(c.input, mapping), c.want));

test('the first context that has the name wins', () => {
  const m = mappingFuncFor(new Map([['X', 'first']]), new Map([['X', 'second'], ['Y', 'y']]));
  assert.equal(expand('$(X)$(Y)', m), 'firsty');
});
