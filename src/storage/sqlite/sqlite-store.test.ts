/** @module SqliteStore against the shared Store contract, plus SQLite-only behaviour. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '../store.conformance.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'tug-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newPath = () => join(dir, `state-${++n}.db`);

runStoreConformance({ name: 'sqlite', newStore: () => SqliteStore.open({ path: newPath() }) });

test('sqlite: data survives close and reopen', async () => {
  const path = newPath();
  const s1 = await SqliteStore.open({ path });
  const kv = await s1.create('/registry/a', 'x');
  await s1.close();
  const s2 = await SqliteStore.open({ path });
  try {
    assert.deepEqual((await s2.get('/registry/a')).kv, kv);
    assert.equal((await s2.create('/registry/b', 'y')).modRevision, kv.modRevision + 1);
  } finally {
    await s2.close();
  }
});

test('sqlite: automatic compaction keeps the window and bounds the file', async () => {
  const path = newPath();
  const s = await SqliteStore.open({ path, compactIntervalMs: 20, compactRetainRevisions: 100 });
  try {
    const value = 'x'.repeat(2000);
    let kv = await s.create('/registry/hot', value);
    const sizeAfter = async (updates: number) => {
      for (let i = 0; i < updates; i++) kv = await s.update('/registry/hot', value, kv.modRevision);
      await new Promise((r) => setTimeout(r, 100));
      return statSync(path).size;
    };
    const first = await sizeAfter(1000);
    const second = await sizeAfter(1000);
    assert.ok(second <= first * 1.5, `file grew from ${first} to ${second} bytes`);
    const current = await s.currentRevision();
    await s.list('/registry/', { revision: current - 50 });
    await assert.rejects(s.list('/registry/', { revision: current - 500 }), /compacted/);
  } finally {
    await s.close();
  }
});
