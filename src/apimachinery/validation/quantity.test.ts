/** @module Tests for quantity parsing and canonical printing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatQuantity, parseQuantity, quantityFormatError, type Quantity } from './quantity.js';

const canonical: { name: string; in: string; want: string }[] = [
  { name: 'a decimal fraction prints in milli units', in: '1.5', want: '1500m' },
  { name: 'milli units that make a whole prints as the whole', in: '2000m', want: '2' },
  { name: 'a thousand prints with the k suffix', in: '1000', want: '1k' },
  { name: 'a value not divisible by a thousand keeps its digits', in: '1500', want: '1500' },
  { name: 'binary units fold up to the largest whole unit', in: '1024Mi', want: '1Gi' },
  { name: 'binary units that do not fold stay', in: '1536Mi', want: '1536Mi' },
  { name: 'binary values under 1024 print as decimal', in: '0.5Ki', want: '512' },
  { name: 'exponent notation keeps its format', in: '1e3', want: '1e3' },
  { name: 'zero prints as 0', in: '0Mi', want: '0' },
  { name: 'values below a nano round up', in: '0.1n', want: '1n' },
  { name: 'a negative value keeps its sign', in: '-100m', want: '-100m' },
];
for (const c of canonical) {
  test(c.name, () => assert.equal(formatQuantity(parseQuantity(c.in) as Quantity), c.want));
}

test('malformed quantities report the upstream regular-expression error', () => {
  for (const s of ['', 'abc', '1..2', '1 Gi', '.']) assert.equal(parseQuantity(s), quantityFormatError, s);
});

test('an unknown suffix reports the suffix error', () => {
  assert.equal(parseQuantity('1Ki2'), "unable to parse quantity's suffix");
});

test('numbers given as JSON numbers parse like strings', () => {
  assert.deepEqual(parseQuantity(2), { nanos: 2_000_000_000n, format: 'DecimalSI' });
});
