/**
 * @module Pod startup latency: `tug server` with its node agent creates pods of the busybox test
 * image (present, imagePullPolicy Never) and a watch times create → Running, one pod at a time and
 * 20 / 100 at once; the peer is `docker run -d` of the same image on a private dockerd in the same
 * run. Both run side by side and take turns round by round, so that the load other work puts on
 * this machine falls on both alike. Prints p50 / p99 per pod and the time until all of a batch
 * run, with ratios. Needs Debian's docker.io. Run: node --import tsx bench/pod-startup.ts
 * (POD_STARTUP_CASES=1,20 runs only those batch sizes).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { buildBusyboxImage } from '../src/kubelet/images/busybox-image.js';
import { TEST_IMAGE } from '../src/kubelet/images/names.js';
import { adminHttps } from '../test/support/admin-https.js';
import { startTugServer, tugBin, type TugServer } from '../test/support/tug-server.js';
import { waitNodeReady } from '../test/support/node-agent.js';
import { startDocker, type Docker } from './support/docker.js';
import { watch } from './support/lines.js';

const NS = 'bench';
const ALL_CASES = [{ label: '1 pod at a time', batch: 1, rounds: 20 }, { label: '20 at once', batch: 20, rounds: 3 }, { label: '100 at once', batch: 100, rounds: 2 }];
const only = process.env.POD_STARTUP_CASES?.split(',').map(Number);
const CASES = ALL_CASES.filter((c) => !only || only.includes(c.batch));
const log = (m: string) => process.stderr.write(`[+${(performance.now() / 1000).toFixed(1)} s] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result { perPod: number[]; all: number[] }
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!; };
type Api = Awaited<ReturnType<typeof adminHttps>>;

/** One batch on tug: creates the pods at once, waits until the watch saw each Running, deletes them. */
async function tugRound(server: TugServer, c: Api, batch: number, names: string[], r: Result): Promise<void> {
  const sent = new Map<string, number>(), running = new Map<string, number>();
  const rv = (await c.request('GET', `/api/v1/namespaces/${NS}/pods?limit=1`)).body.metadata.resourceVersion;
  const w = await watch(server.kubeconfig, `/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${rv}`, (e) => {
    const p = e.object;
    if (p?.status?.phase === 'Running' && !running.has(p.metadata.name)) running.set(p.metadata.name, performance.now());
  });
  try {
    const t0 = performance.now();
    await Promise.all(names.map(async (name) => {
      sent.set(name, performance.now());
      const res = await c.request('POST', `/api/v1/namespaces/${NS}/pods`, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '86400'] }] },
      });
      if (res.status !== 201) throw new Error(`create pod: ${res.status} ${res.text}`);
    }));
    const deadline = Date.now() + Math.max(120_000, batch * 2000);
    while (running.size < batch) {
      if (Date.now() > deadline) throw new Error(`${running.size}/${batch} pods Running after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${await podSummary(c)}\n${server.stderr().slice(-3000)}`);
      await sleep(10);
    }
    for (const n of names) r.perPod.push(running.get(n)! - sent.get(n)!);
    r.all.push(Math.max(...running.values()) - t0);
  } finally {
    w.stop();
  }
  const del = await c.request('DELETE', `/api/v1/namespaces/${NS}/pods`);
  if (del.status !== 200) throw new Error(`delete pods: ${del.status} ${del.text}`);
  for (let i = 0; (await c.request('GET', `/api/v1/namespaces/${NS}/pods?limit=1`)).body.items.length > 0; i++) {
    if (i > 600) throw new Error('pods not gone after 120 s');
    await sleep(200);
  }
}

/** How many pods are in which phase and waiting reason, for an error message. */
async function podSummary(c: Api): Promise<string> {
  const counts = new Map<string, number>();
  for (const p of (await c.request('GET', `/api/v1/namespaces/${NS}/pods`)).body.items ?? []) {
    const waiting = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    const k = `${p.status?.phase ?? '?'}${waiting ? `/${waiting}` : ''}${p.spec?.nodeName ? '' : ' (unscheduled)'}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

/** One batch on Docker: `docker run -d` of each at once, then all removed. */
async function dockerRound(docker: Docker, batch: number, r: Result): Promise<void> {
  const t0 = performance.now();
  const times = await Promise.all(Array.from({ length: batch }, async () => {
    const t = performance.now();
    await docker.runAsync(['run', '-d', TEST_IMAGE, 'sleep', '86400']);
    return performance.now() - t;
  }));
  r.all.push(performance.now() - t0);
  r.perPod.push(...times);
  await docker.removeAll();
}

async function bench(imageTar: string): Promise<{ tug: Record<string, Result>; docker: Record<string, Result> }> {
  const docker = await startDocker();
  let server: TugServer | undefined;
  let c: Api | undefined;
  try {
    docker.run(['load', '-i', imageTar]);
    server = await startTugServer({ agent: true });
    const imported = spawnSync(tugBin, ['images', 'import', imageTar, '--data-dir', server.dataDir], { encoding: 'utf8' });
    if (imported.status !== 0) throw new Error(`tug images import: ${imported.stderr}`);
    c = await adminHttps(server.kubeconfig, { maxSockets: 100 });
    await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await waitNodeReady((a) => server!.kubectl(a));
    const tug: Record<string, Result> = {}, peer: Record<string, Result> = {};
    let seq = 0;
    for (const { label, batch, rounds } of CASES) {
      const t: Result = (tug[label] = { perPod: [], all: [] }), d: Result = (peer[label] = { perPod: [], all: [] });
      for (let round = 0; round < rounds; round++) {
        await dockerRound(docker, batch, d);
        await tugRound(server, c, batch, Array.from({ length: batch }, () => `p${seq++}`), t);
      }
      log(`${label}: tug p50 ${pct(t.perPod, 50).toFixed(0)} ms, all ${pct(t.all, 50).toFixed(0)} ms; docker p50 ${pct(d.perPod, 50).toFixed(0)} ms, all ${pct(d.all, 50).toFixed(0)} ms`);
    }
    return { tug, docker: peer };
  } finally {
    c?.close();
    // A clean stop first (SIGTERM), as a user stops it; cleanup() then resets the node.
    await server?.stop();
    await server?.cleanup();
    await docker.stop();
  }
}

const dir = join(process.env.TMPDIR ?? '/tmp');
const imageTar = join(dir, `tug-bench-busybox-${process.pid}.tar`);
const colon = TEST_IMAGE.lastIndexOf(':');
await buildBusyboxImage({ name: TEST_IMAGE.slice(0, colon), tag: TEST_IMAGE.slice(colon + 1), out: imageTar });
log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  const { tug, docker } = await bench(imageTar);
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log('\nPod startup, create → Running (tug: observed by a watch; docker: `docker run -d` returns)\n');
  console.log('| case | tug p50 | tug p99 | tug all running | docker p50 | docker p99 | docker all running | tug/docker (all) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { label } of CASES) {
    const t = tug[label]!, d = docker[label]!;
    console.log(`| ${label} | ${ms(pct(t.perPod, 50))} | ${ms(pct(t.perPod, 99))} | ${ms(pct(t.all, 50))} | ${ms(pct(d.perPod, 50))} | ${ms(pct(d.perPod, 99))} | ${ms(pct(d.all, 50))} | ${(pct(t.all, 50) / pct(d.all, 50)).toFixed(2)}× |`);
  }
  console.log(`\nload average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; machine: ${readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length} cores`);
} finally {
  spawnSync('rm', ['-f', imageTar]);
}
