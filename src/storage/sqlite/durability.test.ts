/**
 * @module Durability: every write SqliteStore acknowledged survives kill -9 of its process.
 * A child writes concurrently and prints acknowledged keys; we SIGKILL it mid-stream and reopen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from './sqlite-store.js';

const CHILD = fileURLToPath(new URL('./testdata/durability-writer.ts', import.meta.url));

test('sqlite: every acknowledged write survives SIGKILL', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tug-durability-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'state.db');
  for (let round = 0; round < 2; round++) {
    const acked = await writeUntilKilled(path, round, t);
    assert.ok(acked.length >= 3000, `only ${acked.length} writes acknowledged before the kill`);
    const store = await SqliteStore.open({ path });
    try {
      const missing = [];
      for (const key of acked) if (!(await store.get(key)).kv) missing.push(key);
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged keys lost`);
    } finally {
      await store.close();
    }
  }
});

/** Runs the writer child until it has acknowledged 3000 writes, then SIGKILLs it. */
function writeUntilKilled(path: string, run: number, t: { after: (fn: () => void) => void }): Promise<string[]> {
  const until = 3000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
    const acked: string[] = [];
    let partial = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!; // a line cut by the kill was never fully acknowledged
      acked.push(...lines);
      if (acked.length >= until && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited by itself (code ${code}): ${stderr}`));
    });
  });
}
