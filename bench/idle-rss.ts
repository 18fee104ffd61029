/**
 * @module Idle memory: RSS of `tug server --disable-agent` (SQLite, fresh data dir) after 10 s idle,
 * against a bare node process started in the same run. bin/tug is a sh wrapper that execs node,
 * so the spawned PID is node's own. Run: node --import tsx bench/idle-rss.ts
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startTugServer } from '../test/support/tug-server.js';

const IDLE_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memOf(pid: number): { comm: string; rssKiB: number; hwmKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

const mib = (kib: number) => (kib / 1024).toFixed(1);

async function main(): Promise<void> {
  const bare = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  const tug = await startTugServer();
  try {
    const t0 = Date.now();
    await sleep(IDLE_MS);
    const tm = memOf(tug.proc.pid!);
    const bm = memOf(bare.pid!);
    if (tm.comm !== 'node') throw new Error(`tug server PID ${tug.proc.pid} is "${tm.comm}", not node: the wrapper did not exec`);
    const rows = [
      ['process', 'VmRSS MiB', 'VmHWM MiB'],
      ['tug server --disable-agent (sqlite, idle)', mib(tm.rssKiB), mib(tm.hwmKiB)],
      ["node -e 'setInterval(()=>{},1000)'", mib(bm.rssKiB), mib(bm.hwmKiB)],
      ['ratio tug / bare node', (tm.rssKiB / bm.rssKiB).toFixed(2), (tm.hwmKiB / bm.hwmKiB).toFixed(2)],
    ];
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    console.log(`idle RSS after ${((Date.now() - t0) / 1000).toFixed(0)} s (node ${process.version}, ${process.arch})`);
    for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
    console.log(`tug server minus bare node: ${mib(tm.rssKiB - bm.rssKiB)} MiB`);
  } finally {
    bare.kill('SIGKILL');
    await tug.cleanup();
  }
}

await main();
