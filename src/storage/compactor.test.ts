import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, startCompactor } from './compactor.js';
import type { Store } from './store.js';

describe('parseDuration', () => {
  it('reads Go-style durations', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1s'), 1000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('0'), 0);
    for (const bad of ['', '5', 'm', '5x', '1s ', '-1s']) assert.throws(() => parseDuration(bad), /invalid duration/, bad);
  });
});

describe('startCompactor', () => {
  it('compacts each tick to the revision the previous tick saw, never twice to the same one', async () => {
    let rev = 10;
    const calls: number[] = [];
    const store = { currentRevision: async () => rev, compact: async (r: number) => { calls.push(r); } } as unknown as Store;
    const c = startCompactor(store, 20);
    try {
      await new Promise((r) => setTimeout(r, 5));
      rev = 15;
      await new Promise((r) => setTimeout(r, 30));
      rev = 20;
      await new Promise((r) => setTimeout(r, 60));
    } finally {
      c.stop();
    }
    assert.deepEqual(calls.slice(0, 3), [10, 15, 20]);
    assert.deepEqual([...new Set(calls)], calls);
  });
});
