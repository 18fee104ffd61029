/** @module The kubelet's back-off: doubling, the cap, the reset after a long quiet spell, Go's duration format. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, goDuration } from './backoff.js';

test('the delay starts at 10 s, doubles to 5 min, and starts over after 10 quiet minutes', () => {
  let now = 0;
  const b = new Backoff({ initialMs: 10_000, maxMs: 300_000, now: () => now });
  const seen: number[] = [];
  for (let i = 0; i < 7; i++) {
    b.next('k', now);
    seen.push(b.get('k'));
    now += 1000;
  }
  assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  const finishedAt = now + 11 * 60_000;
  now = finishedAt + 1;
  assert.equal(b.isInBackOffSince('k', finishedAt), false, 'expired: no back-off');
  b.next('k', finishedAt);
  assert.equal(b.get('k'), 10_000);
});

test('in back-off since an event, and since the last update', () => {
  let now = 100_000;
  const b = new Backoff({ initialMs: 10_000, maxMs: 300_000, now: () => now });
  assert.equal(b.isInBackOffSince('k', now), false);
  b.next('k', now);
  now += 5_000;
  assert.equal(b.isInBackOffSince('k', now - 1000), true);
  assert.equal(b.isInBackOffSinceUpdate('k'), true);
  assert.equal(b.remaining('k', 100_000), 5_000);
  now += 6_000;
  assert.equal(b.isInBackOffSinceUpdate('k'), false);
});

const durations: [number, string][] = [[10_000, '10s'], [20_000, '20s'], [80_000, '1m20s'], [300_000, '5m0s'], [1_234, '1.234s'], [1_200, '1.2s'], [15, '15ms'], [3_723_000, '1h2m3s']];
for (const [ms, want] of durations) test(`${ms} ms prints as ${want}`, () => assert.equal(goDuration(ms), want));
