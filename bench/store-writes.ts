/**
 * @module Benchmark: puts/s and gets/s of the SQLite store against a real etcd started in the same
 * run, at 1, 16 and 256 concurrent clients. Prints one table with the sqlite/etcd ratio.
 * Run: node --import tsx bench/store-writes.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../src/storage/store.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { EtcdStore } from '../src/storage/etcd/etcd-store.js';
import { startEtcd } from '../test/support/etcd.js';

const CONCURRENCY = [1, 16, 256];
const WRITE_MS = 4000;
const READ_MS = 2000;
const READ_KEYS = 1000;
// About the size of a small Pod as JSON.
const VALUE = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { app: 'bench' } }, spec: { pad: 'x'.repeat(900) } });

/** Runs `clients` loops of op for ms milliseconds; returns completed ops per second. */
async function rate(clients: number, ms: number, op: (client: number, i: number) => Promise<unknown>): Promise<number> {
  const end = Date.now() + ms;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; Date.now() < end; i++) {
      await op(c, i);
      done++;
    }
  }));
  return done / ((performance.now() - t0) / 1000);
}

async function measure(name: string, store: Store): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < READ_KEYS; i++) await store.create(`/registry/read/${i}`, VALUE);
  for (const c of CONCURRENCY) {
    out.set(`put ${c}`, await rate(c, WRITE_MS, (client, i) => store.create(`/registry/bench/${c}/${client}/${i}`, VALUE)));
    out.set(`get ${c}`, await rate(c, READ_MS, () => store.get(`/registry/read/${Math.floor(Math.random() * READ_KEYS)}`)));
    process.stderr.write(`${name} c=${c}: put ${out.get(`put ${c}`)!.toFixed(0)}/s, get ${out.get(`get ${c}`)!.toFixed(0)}/s\n`);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'tug-bench-store-'));
const etcd = await startEtcd();
try {
  const sqlite = await SqliteStore.open({ path: join(dir, 'state.db') });
  const sq = await measure('sqlite', sqlite).finally(() => sqlite.close());
  const etcdStore = new EtcdStore({ endpoints: [etcd.endpoint] });
  const et = await measure('etcd', etcdStore).finally(() => etcdStore.close());
  console.log('\n| op  | clients | sqlite ops/s | etcd ops/s | sqlite/etcd |');
  console.log('|-----|--------:|-------------:|-----------:|------------:|');
  for (const op of ['put', 'get']) {
    for (const c of CONCURRENCY) {
      const s = sq.get(`${op} ${c}`)!;
      const e = et.get(`${op} ${c}`)!;
      console.log(`| ${op} | ${String(c).padStart(7)} | ${s.toFixed(0).padStart(12)} | ${e.toFixed(0).padStart(10)} | ${(s / e).toFixed(2).padStart(10)}x |`);
    }
  }
} finally {
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
}
