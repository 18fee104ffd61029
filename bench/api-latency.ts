/**
 * @module API latency and throughput of `tug server`, SQLite against etcd (a real etcd this bench
 * starts), measured in one run. Per backend: 5,000 ConfigMaps are created as fast as 64 keep-alive
 * connections allow (closed loop: max throughput), then create / get / list (label selector, 60 of
 * 6,000; a 1 s phase, lists being the slow op) / update run open loop at 200 requests/s for 5 s (latency from each request's scheduled start, so
 * a stall is not hidden), a full list of 5,000 runs closed loop, and 1,000 watchers get 40 creates
 * (delivery latency from each create's send to each watcher's receipt of its event).
 * Client and server share the machine's cores. Run: node --import tsx bench/api-latency.ts
 */
import { Agent, request as httpsRequest } from 'node:https';
import { adminHttps, type AdminHttps } from '../test/support/admin-https.js';
import { startEtcd, type EtcdServer } from '../test/support/etcd.js';
import { startTugServer, type TugServer } from '../test/support/tug-server.js';
import { readKubeconfig } from '../src/cli/kubeconfig.js';
import { onLines } from './support/lines.js';

const OBJECTS = 5_000;
const RATE = 200;
const PHASE_S = 5;
const GROUPS = 100;
const WATCHERS = 1_000;
const FANOUT_EVENTS = 40;
const FULL_LISTS = 10;
const LIST_PHASE_S = 1;
const NS = 'bench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result { op: string; n: number; errors: number; p50: number; p99: number; perSec: number }

function summarize(op: string, lat: number[], errors: number, seconds: number): Result {
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { op, n: s.length, errors, p50: q(0.5), p99: q(0.99), perSec: s.length / seconds };
}

const body = (name: string, i: number) => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name, namespace: NS, labels: { group: `g${i % GROUPS}`, app: 'bench' } },
  data: { index: String(i), payload: 'x'.repeat(256) },
});

/** Closed loop: `concurrency` workers run ops 0..n-1 back to back. */
async function closedLoop(op: string, n: number, concurrency: number, fn: (i: number) => Promise<boolean>): Promise<Result> {
  const lat: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      if (await fn(i)) lat.push(performance.now() - s); else errors++;
    }
  }));
  return summarize(op, lat, errors, (performance.now() - t0) / 1000);
}

/** Open loop: op i is due at t0 + i/RATE; its latency counts from then. */
async function openLoop(op: string, fn: (i: number) => Promise<boolean>, seconds = PHASE_S): Promise<Result> {
  const n = RATE * seconds;
  const lat: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inflight.push(fn(i).then((ok) => { if (ok) lat.push(performance.now() - due); else errors++; }, () => { errors++; }));
  }
  await Promise.all(inflight);
  return summarize(op, lat, errors, (performance.now() - t0) / 1000);
}

/** 1,000 watch streams on their own connections; FANOUT_EVENTS creates; delivery latency per (event, watcher). */
async function fanout(server: TugServer, c: AdminHttps): Promise<Result> {
  const creds = await readKubeconfig(server.kubeconfig);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity, ca: creds.ca, cert: creds.cert, key: creds.key });
  const ns = 'fanout';
  const r = await c.request('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  if (r.status !== 201) throw new Error(`namespace: ${r.status} ${r.text}`);
  const rv = r.body.metadata.resourceVersion;
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  let connected = 0;
  const reqs: ReturnType<typeof httpsRequest>[] = [];
  const open = (): Promise<void> => new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: server.port, agent, path: `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${rv}` }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch: ${res.statusCode}`));
      connected++;
      resolve();
      onLines(res, (line) => {
        const m = /"name":"(fan-\d+)"/.exec(line);
        const t = m && sentAt.get(m[1]);
        if (t !== undefined && t !== null) lat.push(performance.now() - t);
      });
      res.on('error', () => {});
    });
    req.on('error', reject);
    req.end();
    reqs.push(req);
  });
  try {
    for (let i = 0; i < WATCHERS; i += 100) await Promise.all(Array.from({ length: Math.min(100, WATCHERS - i) }, open));
    await sleep(500);
    const t0 = performance.now();
    for (let i = 0; i < FANOUT_EVENTS; i++) {
      const name = `fan-${i}`;
      sentAt.set(name, performance.now());
      const cr = await c.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name }, data: { i: String(i) } });
      if (cr.status !== 201) throw new Error(`fanout create: ${cr.status}`);
      await sleep(1000 / 20);
    }
    const want = FANOUT_EVENTS * WATCHERS;
    const deadline = performance.now() + 30_000;
    while (lat.length < want && performance.now() < deadline) await sleep(20);
    const seconds = (performance.now() - t0) / 1000;
    const res = summarize(`watch fan-out (${connected} watchers, ${FANOUT_EVENTS} events)`, lat, want - lat.length, seconds);
    return res;
  } finally {
    for (const q of reqs) q.destroy();
    agent.destroy();
  }
}

async function runBackend(label: string, datastoreEndpoint?: string): Promise<Result[]> {
  const t0 = Date.now();
  const step = (what: string) => process.stderr.write(`[${label} +${((Date.now() - t0) / 1000).toFixed(0)} s] ${what}\n`);
  const server = await startTugServer({ datastoreEndpoint });
  const c = await adminHttps(server.kubeconfig, { maxSockets: 64 });
  const results: Result[] = [];
  try {
    const ok = (code: number) => (r: { status: number }) => r.status === code;
    const ns = await c.request('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    if (ns.status !== 201) throw new Error(`namespace: ${ns.status} ${ns.text}`);
    const base = `/api/v1/namespaces/${NS}/configmaps`;
    step(`creating ${OBJECTS} objects`);
    const created = new Map<number, any>();
    results.push(await closedLoop(`create, closed loop x64 (to ${OBJECTS})`, OBJECTS, 64, async (i) => {
      const r = await c.request('POST', base, body(`cm-${i}`, i));
      created.set(i, r.body);
      return r.status === 201;
    }));
    step(`open-loop phases at ${RATE}/s`);
    results.push(await openLoop('create', (i) => c.request('POST', base, body(`extra-${i}`, i)).then(ok(201))));
    results.push(await openLoop('get', (i) => c.request('GET', `${base}/cm-${(i * 7919) % OBJECTS}`).then(ok(200))));
    // Lists cost far more than the rest: a shorter phase at the same rate keeps the run short.
    results.push(await openLoop(`list (label selector, ${(OBJECTS + RATE * PHASE_S) / GROUPS} hits of ${OBJECTS + RATE * PHASE_S})`,
      (i) => c.request('GET', `${base}?labelSelector=group%3Dg${i % GROUPS}`).then(ok(200)), LIST_PHASE_S));
    // Each update PUTs an object as its create returned it (distinct objects: no conflicts).
    results.push(await openLoop('update (PUT)', async (i) => {
      const idx = (i * 7919) % OBJECTS;
      const obj = created.get(idx);
      obj.data.index = `u${i}`;
      const r = await c.request('PUT', `${base}/cm-${idx}`, obj);
      return r.status === 200;
    }));
    step('full lists');
    results.push(await closedLoop(`list all (${OBJECTS + RATE * PHASE_S} objects), x1`, FULL_LISTS, 1, (i) => c.request('GET', base).then((r) => r.status === 200 && r.body.items.length >= OBJECTS)));
    step(`watch fan-out with ${WATCHERS} watchers`);
    results.push(await fanout(server, c));
    step('done');
    return results;
  } finally {
    c.close();
    await server.cleanup();
  }
}

function table(sqlite: Result[], etcd: Result[]): string {
  const f = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '-');
  const rows = [['operation', 'sqlite p50 ms', 'p99 ms', 'ops/s', 'err', 'etcd p50 ms', 'p99 ms', 'ops/s', 'err', 'etcd/sqlite p50', 'p99', 'ops/s']];
  sqlite.forEach((s, i) => {
    const e = etcd[i];
    rows.push([s.op, f(s.p50), f(s.p99), f(s.perSec), String(s.errors), f(e.p50), f(e.p99), f(e.perSec), String(e.errors),
      (e.p50 / s.p50).toFixed(2), (e.p99 / s.p99).toFixed(2), (e.perSec / s.perSec).toFixed(2)]);
  });
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const sqlite = await runBackend('sqlite');
  let etcd: EtcdServer | undefined;
  let etcdResults: Result[];
  try {
    etcd = await startEtcd();
    etcdResults = await runBackend('etcd', `etcd://${etcd.endpoint}`);
  } finally {
    await etcd?.stop();
  }
  console.log(`API latency, ${OBJECTS} objects, open-loop phases at ${RATE} req/s for ${PHASE_S} s (node ${process.version}, ${process.arch}; client and server on one machine)`);
  console.log(table(sqlite, etcdResults));
  console.log(`(total run ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

await main();
