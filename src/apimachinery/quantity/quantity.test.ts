/** @module Tests for resource.Quantity: canonical round trips, errors, arithmetic, conversions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, canonicalize, compare, milliValue, newMilliQuantity, parseQuantity, quantityString, sub, toNumber, value,
} from './quantity.js';

const canonical: { name: string; input: string; want: string }[] = [
  { name: 'whole millis collapse to units', input: '1000m', want: '1' },
  { name: 'binary units climb to the largest whole suffix', input: '1024Mi', want: '1Gi' },
  { name: 'a half becomes millis', input: '0.5', want: '500m' },
  { name: 'a fractional binary value goes one suffix down', input: '1.5Gi', want: '1536Mi' },
  { name: 'a binary value keeps its suffix', input: '512Ki', want: '512Ki' },
  { name: 'a small binary fraction prints as decimal', input: '0.5Ki', want: '512' },
  { name: 'decimal suffixes are kept', input: '100M', want: '100M' },
  { name: 'exponents stay exponents', input: '1e3', want: '1e3' },
  { name: 'an exponent not a multiple of three is folded into the number', input: '12e2', want: '1200' },
  { name: 'a capital E alone is exa', input: '2E', want: '2E' },
  { name: 'decimal values step up by thousands', input: '1500k', want: '1500k' },
  { name: 'millions of units become M', input: '3000000', want: '3M' },
  { name: 'nano values are the smallest unit', input: '1n', want: '1n' },
  { name: 'values below a nano round up', input: '0.1n', want: '1n' },
  { name: 'negative values keep their sign', input: '-1.5', want: '-1500m' },
  { name: 'zero prints as 0 whatever its suffix', input: '0Mi', want: '0' },
  { name: 'leading zeros and a plus sign are dropped', input: '+007', want: '7' },
  { name: 'a trailing dot is accepted', input: '1.', want: '1' },
  { name: 'a leading dot is accepted', input: '.25', want: '250m' },
  { name: 'microcores print with u', input: '0.000002', want: '2u' },
];
for (const c of canonical) test(c.name, () => assert.equal(canonicalize(c.input), c.want));

const bad: { name: string; input: string; message: string }[] = [
  { name: 'the empty string', input: '', message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
  { name: 'a space inside', input: '1 Gi', message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
  { name: 'two dots', input: '1.2.3', message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
  { name: 'an unknown suffix', input: '1KB', message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
  { name: 'a suffix made of valid letters in a wrong order', input: '1iK', message: "unable to parse quantity's suffix" },
  { name: 'a lone lowercase e', input: '5e', message: "unable to parse quantity's suffix" },
];
for (const c of bad) test(`rejects ${c.name}`, () => assert.throws(() => parseQuantity(c.input), { name: 'QuantityError', message: c.message }));

test('compare orders values across formats', () => {
  assert.equal(compare(parseQuantity('1Gi'), parseQuantity('1G')), 1);
  assert.equal(compare(parseQuantity('500m'), parseQuantity('0.5')), 0);
  assert.equal(compare(parseQuantity('-1'), parseQuantity('1m')), -1);
});

test('add and sub keep the first operand format unless it is zero', () => {
  assert.equal(quantityString(add(parseQuantity('1Gi'), parseQuantity('512Mi'))), '1536Mi');
  assert.equal(quantityString(add(parseQuantity('0'), parseQuantity('1Ki'))), '1Ki');
  assert.equal(quantityString(sub(parseQuantity('1'), parseQuantity('250m'))), '750m');
});

test('values round up to whole units and millis', () => {
  assert.equal(value(parseQuantity('1.2')), 2);
  assert.equal(value(parseQuantity('1Mi')), 1048576);
  assert.equal(milliValue(parseQuantity('0.1')), 100);
  assert.equal(milliValue(parseQuantity('1.0001m')), 2);
  assert.equal(toNumber(parseQuantity('250m')), 0.25);
  assert.equal(quantityString(newMilliQuantity(1500)), '1500m');
});
