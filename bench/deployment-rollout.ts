/**
 * @module Deployment rollout on 100 hollow nodes: `tug server` (compiled) and `tug hollow-nodes --count 100` as separate
 * processes; 3× create → availableReplicas 100 seen by a watch, against 100 bare Pods created in parallel → all Running
 * (what the controllers add), then a 25%/25% rolling image update of the 100. Run: node --import tsx bench/deployment-rollout.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { adminHttps, type AdminHttps } from '../test/support/admin-https.js';
import { startTugServer, tugBin, type TugServer } from '../test/support/tug-server.js';
import { readKubeconfig } from '../src/cli/kubeconfig.js';
import { watch } from './support/lines.js';

const NODES = 100;
const REPLICAS = 100;
const RUNS = 3;
const NS = 'rollout';
const STEP_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => process.stderr.write(`[+${(performance.now() / 1000).toFixed(1)} s] ${m}\n`);

/** Resolves when pred() holds (checked every 20 ms); rejects after timeoutMs. */
async function until(what: string, pred: () => boolean, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(20);
  }
}

const container = (image: string) => ({ name: 'c', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } });

const deployment = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    replicas: REPLICAS, selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [container('registry.k8s.io/pause:3.9')] } },
  },
});

/** Times of a pod set's milestones, ms from t0: last pod created (ADDED), last bound, last Running. */
interface PodTimes { created: number; bound: number; running: number }

/** Watches pods with `selector`; tracks when `n` distinct pods were added, bound and Running. */
async function podTracker(kubeconfig: string, rv: string, selector: string, n: number) {
  const added = new Set<string>(), bound = new Set<string>(), running = new Set<string>();
  const t: Partial<PodTimes> = {};
  const w = await watch(kubeconfig, `/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${rv}&labelSelector=${encodeURIComponent(selector)}`, (e) => {
    const p = e.object, name = p?.metadata?.name;
    if (!name || e.type === 'DELETED') return;
    const now = performance.now();
    added.add(name);
    if (p.spec?.nodeName) bound.add(name);
    if (p.status?.phase === 'Running') running.add(name);
    if (t.created === undefined && added.size >= n) t.created = now;
    if (t.bound === undefined && bound.size >= n) t.bound = now;
    if (t.running === undefined && running.size >= n) t.running = now;
  });
  return { t, stop: w.stop, running: () => running.size };
}

async function waitNoPods(c: AdminHttps): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const r = await c.request('GET', `/api/v1/namespaces/${NS}/pods?limit=500`);
    if (r.status !== 200) throw new Error(`list pods: ${r.status} ${r.text}`);
    if (r.body.items.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${r.body.items.length} pods still there after ${STEP_TIMEOUT_MS} ms`);
    await sleep(200);
  }
}

interface DeployRun { total: number; pods: PodTimes }

async function deploymentRun(s: TugServer, c: AdminHttps, i: number, keep: boolean): Promise<DeployRun> {
  const name = `web-${i}`;
  const rv = (await c.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments?limit=1`)).body.metadata.resourceVersion;
  let availableAt: number | undefined;
  const dw = await watch(s.kubeconfig, `/apis/apps/v1/namespaces/${NS}/deployments?watch=1&resourceVersion=${rv}`, (e) => {
    const d = e.object;
    if (d?.metadata?.name === name && availableAt === undefined && (d.status?.availableReplicas ?? 0) >= REPLICAS) availableAt = performance.now();
  });
  const pods = await podTracker(s.kubeconfig, rv, `app=${name}`, REPLICAS);
  try {
    const t0 = performance.now();
    const r = await c.request('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(name));
    if (r.status !== 201) throw new Error(`create deployment: ${r.status} ${r.text}`);
    await until(`${name} availableReplicas ${REPLICAS}`, () => availableAt !== undefined);
    const rel = (x: number | undefined) => (x === undefined ? NaN : x - t0);
    const out = { total: availableAt! - t0, pods: { created: rel(pods.t.created), bound: rel(pods.t.bound), running: rel(pods.t.running) } };
    if (!keep) {
      const d = await c.request('DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/${name}`, { propagationPolicy: 'Background' });
      if (d.status !== 200) throw new Error(`delete deployment: ${d.status} ${d.text}`);
      await waitNoPods(c);
    }
    return out;
  } finally {
    dw.stop();
    pods.stop();
  }
}

async function barePodsRun(s: TugServer, c: AdminHttps, i: number): Promise<DeployRun> {
  const label = `bare-${i}`;
  const rv = (await c.request('GET', `/api/v1/namespaces/${NS}/pods?limit=1`)).body.metadata.resourceVersion;
  const pods = await podTracker(s.kubeconfig, rv, `app=${label}`, REPLICAS);
  try {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: REPLICAS }, async (_, k) => {
      const r = await c.request('POST', `/api/v1/namespaces/${NS}/pods`, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `${label}-${k}`, namespace: NS, labels: { app: label } },
        spec: { containers: [container('registry.k8s.io/pause:3.9')] },
      });
      if (r.status !== 201) throw new Error(`create pod: ${r.status} ${r.text}`);
    }));
    await until(`${REPLICAS} bare pods Running`, () => pods.t.running !== undefined);
    const out = { total: pods.t.running! - t0, pods: { created: pods.t.created! - t0, bound: pods.t.bound! - t0, running: pods.t.running! - t0 } };
    const d = await c.request('DELETE', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${label}`);
    if (d.status !== 200) throw new Error(`delete pods: ${d.status} ${d.text}`);
    await waitNoPods(c);
    return out;
  } finally {
    pods.stop();
  }
}

interface UpdateRun { total: number; maxReplicas: number; minAvailable: number }

/** Changes the image of web-<i> (already available) and waits for the rollout as `kubectl rollout status` does. */
async function rollingUpdate(s: TugServer, c: AdminHttps, name: string): Promise<UpdateRun> {
  const rv = (await c.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments?limit=1`)).body.metadata.resourceVersion;
  let doneAt: number | undefined;
  let gen = Infinity, maxReplicas = 0, minAvailable = Infinity;
  const dw = await watch(s.kubeconfig, `/apis/apps/v1/namespaces/${NS}/deployments?watch=1&resourceVersion=${rv}`, (e) => {
    const d = e.object, st = d?.status ?? {};
    if (d?.metadata?.name !== name) return;
    maxReplicas = Math.max(maxReplicas, st.replicas ?? 0);
    minAvailable = Math.min(minAvailable, st.availableReplicas ?? 0);
    if (doneAt === undefined && (st.observedGeneration ?? 0) >= gen && st.updatedReplicas === REPLICAS && st.replicas === REPLICAS
      && st.availableReplicas === REPLICAS) doneAt = performance.now();
  });
  try {
    const t0 = performance.now();
    const patch = { spec: { template: { spec: { containers: [container('registry.k8s.io/pause:3.10')] } } } };
    const r = await c.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/${name}`, patch);
    if (r.status !== 200) throw new Error(`patch deployment: ${r.status} ${r.text}`);
    gen = r.body.metadata.generation;
    await until(`${name} rolled out`, () => doneAt !== undefined, 3 * STEP_TIMEOUT_MS);
    return { total: doneAt! - t0, maxReplicas, minAvailable };
  } finally {
    dw.stop();
  }
}

/** Requests go through admin-https, which sends JSON; PATCH needs its content type. */
async function adminClient(kubeconfig: string): Promise<AdminHttps> {
  const base = await adminHttps(kubeconfig, { maxSockets: 100 });
  const creds = await readKubeconfig(kubeconfig);
  const url = new URL(creds.server);
  const request: AdminHttps['request'] = (method, path, body) => {
    if (method !== 'PATCH') return base.request(method, path, body);
    return new Promise((resolve, reject) => {
      const data = Buffer.from(JSON.stringify(body));
      const req = httpsRequest({ host: url.hostname, port: url.port, path, method, agent: base.agent,
        headers: { Accept: 'application/json', 'Content-Type': 'application/strategic-merge-patch+json', 'Content-Length': data.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try { parsed = JSON.parse(text); } catch { parsed = undefined; }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  };
  return { ...base, request };
}

/** The cmdline of a PID: proof that the compiled build (dist/) runs, not tsx. */
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');

async function startHollow(s: TugServer): Promise<ChildProcess> {
  const p = spawn(tugBin, ['hollow-nodes', '--count', String(NODES), '--kubeconfig', s.kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d) => { err += d; });
  await until('hollow nodes registered', () => {
    if (p.exitCode !== null) throw new Error(`hollow-nodes exited ${p.exitCode}: ${err}`);
    return /hollow nodes running/.test(err);
  }, 120_000);
  return p;
}

async function main(): Promise<void> {
  const load0 = loadavg();
  const s = await startTugServer();
  let hollow: ChildProcess | undefined;
  const c = await adminClient(s.kubeconfig);
  try {
    const serverCmd = cmdline(s.proc.pid!);
    if (!serverCmd.includes('dist/cli/main.js')) throw new Error(`tug server is not the compiled build: ${serverCmd} (npm run build)`);
    hollow = await startHollow(s);
    log(`server ${serverCmd}; ${NODES} hollow nodes (pid ${hollow.pid})`);
    const ns = await c.request('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    if (ns.status !== 201) throw new Error(`namespace: ${ns.status} ${ns.text}`);
    const deploys: DeployRun[] = [], bare: DeployRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Interleaved, so that drift in the machine's load hits both alike.
      bare.push(await barePodsRun(s, c, i));
      log(`bare pods run ${i}: ${bare[i].total.toFixed(0)} ms`);
      deploys.push(await deploymentRun(s, c, i, i === RUNS - 1));
      log(`deployment run ${i}: ${deploys[i].total.toFixed(0)} ms`);
    }
    const upd = await rollingUpdate(s, c, `web-${RUNS - 1}`);
    log(`rolling update: ${upd.total.toFixed(0)} ms`);
    const load1 = loadavg();

    const stats = (xs: number[]) => { const v = [...xs].sort((a, b) => a - b); return { min: v[0], med: v[Math.floor(v.length / 2)], max: v[v.length - 1] }; };
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
    const rows: string[][] = [['case (ms from create)', 'min', 'median', 'max', 'median: last pod created', 'bound', 'Running']];
    const row = (label: string, runs: DeployRun[]) => {
      const t = stats(runs.map((r) => r.total));
      const m = (k: keyof PodTimes) => f(stats(runs.map((r) => r.pods[k])).med);
      rows.push([label, f(t.min), f(t.med), f(t.max), m('created'), m('bound'), m('running')]);
      return t;
    };
    const td = row(`Deployment ${REPLICAS} replicas → availableReplicas ${REPLICAS} (${RUNS} runs)`, deploys);
    const tb = row(`${REPLICAS} bare Pods, parallel creates → all Running (${RUNS} runs)`, bare);
    rows.push(['ratio Deployment / bare Pods', (td.min / tb.min).toFixed(2), (td.med / tb.med).toFixed(2), (td.max / tb.max).toFixed(2), '', '', '']);
    rows.push([`rolling image update, maxSurge 25% maxUnavailable 25% (1 run)`, '', f(upd.total), '', '', '', '']);
    rows.push(['rolling update / Deployment create (median)', '', (upd.total / td.med).toFixed(2), '', '', '', '']);
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    console.log(`\nDeployment rollout on ${NODES} hollow nodes (tug server compiled + tug hollow-nodes, separate processes; node ${process.version}; ${new Date().toISOString()})`);
    console.log(`load average before ${load0.map((x) => x.toFixed(2)).join(' ')}, after ${load1.map((x) => x.toFixed(2)).join(' ')} (2 cores)`);
    for (const r of rows) console.log(r.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  '));
    console.log(`rolling update as a watch saw the Deployment's status: max status.replicas ${upd.maxReplicas} (limit ${REPLICAS + 25}), min availableReplicas ${upd.minAvailable} (limit ${REPLICAS - 25})`);
  } finally {
    c.close();
    if (hollow && hollow.exitCode === null) {
      const gone = new Promise((r) => hollow!.once('exit', r));
      hollow.kill('SIGKILL');
      await gone;
    }
    await s.cleanup();
  }
}

await main();
