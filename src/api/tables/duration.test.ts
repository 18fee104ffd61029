/** @module Tests for HumanDuration at each of its boundaries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, since } from './duration.js';

const s = 1000, m = 60 * s, h = 60 * m, d = 24 * h, y = 365 * d;
const cases: { name: string; ms: number; want: string }[] = [
  { name: 'two seconds ahead is invalid', ms: -2 * s, want: '<invalid>' },
  { name: 'a second ahead is treated as now', ms: -1.5 * s, want: '0s' },
  { name: 'fractions of a second are dropped', ms: 5.9 * s, want: '5s' },
  { name: 'seconds up to two minutes', ms: 119 * s, want: '119s' },
  { name: 'two minutes exactly', ms: 2 * m, want: '2m' },
  { name: 'minutes with seconds below ten minutes', ms: 3 * m + 10 * s, want: '3m10s' },
  { name: 'minutes only from ten minutes', ms: 10 * m + 59 * s, want: '10m' },
  { name: 'minutes up to three hours', ms: 179 * m, want: '179m' },
  { name: 'hours with minutes below eight hours', ms: 3 * h + 5 * m, want: '3h5m' },
  { name: 'whole hours print alone', ms: 4 * h, want: '4h' },
  { name: 'hours only up to two days', ms: 45 * h + 30 * m, want: '45h' },
  { name: 'days with hours below eight days', ms: 2 * d + 3 * h, want: '2d3h' },
  { name: 'whole days print alone', ms: 7 * d, want: '7d' },
  { name: 'days only up to two years', ms: 400 * d + 5 * h, want: '400d' },
  { name: 'years with days below eight years', ms: 3 * y + 12 * d, want: '3y12d' },
  { name: 'whole years print alone', ms: 2 * y, want: '2y' },
  { name: 'years only from eight years', ms: 9 * y + 100 * d, want: '9y' },
];
for (const c of cases) test(c.name, () => assert.equal(humanDuration(c.ms), c.want));

test('a missing timestamp is unknown', () => assert.equal(since(undefined, new Date()), '<unknown>'));
test('an age is measured from the given now', () =>
  assert.equal(since('2024-01-01T00:00:00Z', new Date('2024-01-01T00:05:00Z')), '5m'));
