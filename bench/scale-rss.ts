/**
 * @module Server memory at scale: VmRSS/VmHWM of `tug server --disable-agent` (compiled) idle, at 1,000 hollow nodes / 30,000 pods
 * and at 5,000 / 150,000 (Deployments of 1,000 replicas; `tug hollow-nodes` in its own process), with time to all-Running and the
 * per-pod increment; stops at the largest size reached within SCALE_RSS_BUDGET_S (default 330). Run: node --import tsx bench/scale-rss.ts
 * SCALE_RSS_STAGES ("nodes:deployments,…") and SCALE_RSS_REPLICAS make smaller stages. To profile the server, put a `node` first in PATH
 * that adds --cpu-prof (bin/tug runs `node`; NODE_OPTIONS refuses --cpu-prof) and set SCALE_RSS_SIGTERM=1 (the profile is written on a clean exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Agent, request as httpsRequest } from 'node:https';
import { adminHttps, type AdminHttps } from '../test/support/admin-https.js';
import { startTugServer, tugBin, type TugServer } from '../test/support/tug-server.js';
import { readKubeconfig } from '../src/cli/kubeconfig.js';
import { onLines } from './support/lines.js';

const BUDGET_MS = Number(process.env.SCALE_RSS_BUDGET_S ?? 330) * 1000;
/** Stop creating and measure once every process this bench started holds this much RSS together. */
const MEMORY_GUARD_KIB = 15 * 1024 * 1024;
const SERVER_HEAP_MIB = 14 * 1024;
const REPLICAS = Number(process.env.SCALE_RSS_REPLICAS ?? 1_000);
/** SCALE_RSS_STAGES="nodes:deployments,…" for smaller runs while profiling (default 1000:30,5000:150). */
const STAGES = (process.env.SCALE_RSS_STAGES ?? '1000:30,5000:150').split(',').map((s) => {
  const [nodes, deployments] = s.split(':').map(Number);
  return { nodes, deployments };
});
const IDLE_MS = 10_000;
/** SCALE_RSS_HOLD_S lengthens the wait after a finished stage (time to take a heap snapshot by hand, e.g. node --heapsnapshot-signal). */
const SETTLE_MS = 5_000 + Number(process.env.SCALE_RSS_HOLD_S ?? 0) * 1000;
const NS = 'scale';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t00 = performance.now();
const log = (m: string) => process.stderr.write(`[+${((performance.now() - t00) / 1000).toFixed(1)} s] ${m}\n`);

function mem(pid: number | undefined): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');

/** Deployments' status from one watch: the cheap way to count pods (a list of 150,000 pods would itself move the server's RSS). */
async function watchDeployments(kubeconfig: string, rv: string) {
  const status = new Map<string, { replicas: number; available: number }>();
  const creds = await readKubeconfig(kubeconfig);
  const url = new URL(creds.server);
  const agent = new Agent({ keepAlive: false, ca: creds.ca, cert: creds.cert, key: creds.key });
  let failed: Error | undefined;
  const req = await new Promise<ReturnType<typeof httpsRequest>>((resolve, reject) => {
    const r = httpsRequest({ host: url.hostname, port: url.port, agent, path: `/apis/apps/v1/namespaces/${NS}/deployments?watch=1&resourceVersion=${rv}` }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch: ${res.statusCode}`));
      resolve(r);
      onLines(res, (line) => {
        const e = JSON.parse(line);
        const o = e.object;
        if (e.type === 'ERROR') { failed = new Error(`watch error: ${JSON.stringify(o)}`); return; }
        status.set(o.metadata.name, { replicas: o.status?.replicas ?? 0, available: o.status?.availableReplicas ?? 0 });
      });
      res.on('end', () => { failed ??= new Error('deployment watch ended'); });
      res.on('error', () => {});
    });
    r.on('error', reject);
    r.end();
  });
  const sum = (k: 'replicas' | 'available') => { let n = 0; for (const s of status.values()) n += s[k]; return n; };
  return { pods: () => sum('replicas'), available: () => sum('available'), failed: () => failed, stop: () => { req.destroy(); agent.destroy(); } };
}

interface Row { label: string; nodes: number; podsWanted: number; pods: number; available: number; seconds: number | undefined; elapsed?: number;
  server: { rss: number; hwm: number }; hollow: { rss: number; hwm: number }; note: string }

/** Informer watches of the hollow-nodes processes that got 410 Gone (each one a relist). */
let hollowExpiredWatches = 0;

/** The watch cache's ring size and its too-old reads, from the server's /metrics. */
async function watchCacheFigures(c: AdminHttps): Promise<string> {
  const r = await c.request('GET', '/metrics');
  const value = (re: RegExp) => re.exec(r.text)?.[1] ?? '0';
  return `watch cache ring ${value(/^apiserver_watch_cache_capacity (\S+)/m)} events; too old: ` +
    `${value(/^tugboat_watch_cache_too_old_total\{request="watch"\} (\S+)/m)} watches, ${value(/^tugboat_watch_cache_too_old_total\{request="list"\} (\S+)/m)} lists; ` +
    `hollow informer 410s ${hollowExpiredWatches}`;
}

async function startHollow(s: TugServer, count: number): Promise<{ proc: ChildProcess; seconds: number }> {
  const t0 = performance.now();
  const proc = spawn(tugBin, ['hollow-nodes', '--count', String(count), '--kubeconfig', s.kubeconfig, '--pods', '110'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => {
    hollowExpiredWatches += String(d).match(/expired \(410\)/g)?.length ?? 0;
    err = (err + d).slice(-20_000);
  });
  while (!/hollow nodes running/.test(err)) {
    if (proc.exitCode !== null) throw new Error(`hollow-nodes exited ${proc.exitCode}: ${err}`);
    if (performance.now() - t00 > BUDGET_MS) throw new Error(`hollow-nodes did not register ${count} nodes within the budget`);
    await sleep(100);
  }
  return { proc, seconds: (performance.now() - t0) / 1000 };
}

async function stopProc(p: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(t);
}

async function main(): Promise<void> {
  const load0 = loadavg();
  // V8's default old space (about 4 GiB here) cannot hold the 150,000-pod stage: the server (and hollow-nodes) get more.
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${SERVER_HEAP_MIB}`.trim();
  const s = await startTugServer();
  let hollow: ChildProcess | undefined;
  const c: AdminHttps = await adminHttps(s.kubeconfig, { maxSockets: 16 });
  let watcher: Awaited<ReturnType<typeof watchDeployments>> | undefined;
  const rows: Row[] = [];
  let peakTotal = 0;
  const sampler = setInterval(() => {
    const total = mem(s.proc.pid).rss + (hollow ? mem(hollow.pid).rss : 0) + mem(process.pid).rss;
    if (Number.isFinite(total)) peakTotal = Math.max(peakTotal, total);
  }, 1000);
  let stopReason = '';
  try {
    const serverCmd = cmdline(s.proc.pid!);
    if (!serverCmd.includes('dist/cli/main.js')) throw new Error(`tug server is not the compiled build: ${serverCmd} (npm run build)`);
    log(`server pid ${s.proc.pid}: ${serverCmd}`);
    await sleep(IDLE_MS);
    const idle = mem(s.proc.pid);
    rows.push({ label: 'idle (nothing created)', nodes: 0, podsWanted: 0, pods: 0, available: 0, seconds: undefined, server: idle, hollow: { rss: NaN, hwm: NaN }, note: '' });
    const ns = await c.request('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    if (ns.status !== 201) throw new Error(`namespace: ${ns.status} ${ns.text}`);
    watcher = await watchDeployments(s.kubeconfig, ns.body.metadata.resourceVersion);
    let created = 0;
    for (const stage of STAGES) {
      // One hollow-nodes process at a time: the previous one stops, the next registers (or re-registers) all `stage.nodes`.
      await stopProc(hollow, 'SIGTERM');
      const h = await startHollow(s, stage.nodes);
      hollow = h.proc;
      log(`${stage.nodes} hollow nodes registered in ${h.seconds.toFixed(1)} s (pid ${hollow.pid})`);
      await sleep(SETTLE_MS);
      rows.push({ label: `${stage.nodes} nodes, before pods of this stage`, nodes: stage.nodes, podsWanted: created * REPLICAS, pods: watcher.pods(),
        available: watcher.available(), seconds: undefined, server: mem(s.proc.pid), hollow: mem(hollow.pid), note: `nodes registered in ${h.seconds.toFixed(0)} s` });
      const t0 = performance.now();
      for (; created < stage.deployments; created++) {
        const name = `d-${created}`;
        const r = await c.request('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS },
          spec: { replicas: REPLICAS, selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9',
              resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } },
        });
        if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.text}`);
      }
      const want = created * REPLICAS;
      let lastLog = 0;
      let peakAvailable = 0;
      for (;;) {
        const avail = watcher.available();
        peakAvailable = Math.max(peakAvailable, avail);
        if (avail >= want) break;
        const err = watcher.failed();
        if (err) throw err;
        if (s.proc.exitCode !== null || s.proc.signalCode !== null) { stopReason = `server exited (${s.proc.exitCode ?? s.proc.signalCode}): ${s.stderr().slice(-400)}`; break; }
        if (hollow.exitCode !== null) { stopReason = `hollow-nodes exited (${hollow.exitCode})`; break; }
        if (performance.now() - t00 > BUDGET_MS) { stopReason = `time budget (${BUDGET_MS / 1000} s) ran out`; break; }
        if (peakTotal > MEMORY_GUARD_KIB) { stopReason = `memory guard: ${(peakTotal / 1048576).toFixed(1)} GiB in total`; break; }
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          log(`stage ${stage.nodes}: ${watcher.pods()} pods, ${avail}/${want} available; server RSS ${(mem(s.proc.pid).rss / 1024).toFixed(0)} MiB, hollow ${(mem(hollow.pid).rss / 1024).toFixed(0)} MiB; load ${loadavg()[0].toFixed(1)}; ${await watchCacheFigures(c)}`);
        }
        await sleep(200);
      }
      const seconds = stopReason ? undefined : (performance.now() - t0) / 1000;
      if (!stopReason) await sleep(SETTLE_MS);
      rows.push({ label: `${stage.nodes} nodes, ${want.toLocaleString('en')} pods wanted`, nodes: stage.nodes, podsWanted: want, pods: watcher.pods(),
        available: watcher.available(), seconds, elapsed: (performance.now() - t0) / 1000, server: mem(s.proc.pid), hollow: mem(hollow.pid),
        note: stopReason ? `NOT reached: ${stopReason}` : `all Running ${SETTLE_MS / 1000} s before the reading` });
      log(`stage ${stage.nodes} done: ${watcher.available()}/${want} available${stopReason ? ` — ${stopReason}` : ` in ${seconds!.toFixed(1)} s`}; ${await watchCacheFigures(c)}`);
      if (stopReason) break;
    }
    for (const stage of STAGES.slice(rows.filter((r) => r.elapsed !== undefined).length)) {
      rows.push({ label: `${stage.nodes} nodes, ${(stage.deployments * REPLICAS).toLocaleString('en')} pods wanted`, nodes: stage.nodes,
        podsWanted: stage.deployments * REPLICAS, pods: NaN, available: NaN, seconds: undefined, server: { rss: NaN, hwm: NaN },
        hollow: { rss: NaN, hwm: NaN }, note: 'NOT attempted: the stage before did not finish' });
    }
  } finally {
    clearInterval(sampler);
    watcher?.stop();
    c.close();
    await stopProc(hollow, 'SIGKILL');
    // SIGTERM first when profiling: --cpu-prof writes its profile only on a clean exit.
    if (process.env.SCALE_RSS_SIGTERM === '1') await s.stop();
    await s.cleanup();
  }

  const load1 = loadavg();
  const mib = (k: number) => (Number.isFinite(k) ? (k / 1024).toFixed(0) : '-');
  const idle = rows[0].server.rss;
  const out: string[][] = [['point', 'nodes', 'pods', 'Running', 'to all-Running s', 'Running/s', 'server VmRSS MiB', 'VmHWM MiB', 'x idle RSS', 'KiB/pod vs stage start', 'hollow RSS MiB', 'note']];
  let before: Row | undefined;
  for (const r of rows) {
    const perPod = before && r.pods > before.pods ? ((r.server.rss - before.server.rss) / (r.pods - before.pods)).toFixed(1) : '';
    const n = (x: number) => (Number.isFinite(x) ? String(x) : '-');
    out.push([r.label, String(r.nodes), n(r.pods), n(r.available), r.seconds === undefined ? '' : r.seconds.toFixed(1),
      r.elapsed ? (r.available / r.elapsed).toFixed(1) : '', mib(r.server.rss), mib(r.server.hwm),
      Number.isFinite(r.server.rss) ? (r.server.rss / idle).toFixed(1) : '-', perPod, mib(r.hollow.rss), r.note]);
    before = r.label.includes('before pods') ? r : undefined;
  }
  const w = out[0].map((_, i) => Math.max(...out.map((r) => r[i].length)));
  console.log(`\nServer memory at scale (tug server --disable-agent, compiled, SQLite; node ${process.version}; ${new Date().toISOString()})`);
  console.log(`load average before ${load0.map((x) => x.toFixed(2)).join(' ')}, after ${load1.map((x) => x.toFixed(2)).join(' ')} (2 cores); ` +
    `peak RSS of all processes of this bench ${(peakTotal / 1048576).toFixed(2)} GiB`);
  for (const r of out) console.log(r.map((x, i) => (i === 0 || i === out[0].length - 1 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  '));
  console.log('Running/s: pods available / time since the stage\'s Deployments were created. KiB/pod: (server VmRSS after the stage − VmRSS with the stage\'s nodes and no new pods) / new pods; "to all-Running": Deployments created → ' +
    'sum of status.availableReplicas = pods wanted, as a watch saw it.');
  if (stopReason) console.log(`Stopped early: ${stopReason}. Figures are for the size reached; nothing is extrapolated.`);
}

await main();
