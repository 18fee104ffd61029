/**
 * @module Memory and CPU of the node agent, idle and with 50 pods: `tug server` (compiled) with its
 * agent against the same server with --disable-agent (the agent's share is the difference), plus
 * the containerd it supervises and the pods' shims; the peer is Docker (dockerd + its containerd,
 * and 50 `docker run -d` containers) on a private daemon in the same run. CPU is the processes'
 * utime+stime over a 20 s window, as % of one core. Needs docker.io.
 * Run: node --import tsx bench/agent-resources.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildBusyboxImage } from '../src/kubelet/images/busybox-image.js';
import { TEST_IMAGE } from '../src/kubelet/images/names.js';
import { adminHttps } from '../test/support/admin-https.js';
import { waitNodeReady } from '../test/support/node-agent.js';
import { startTugServer } from '../test/support/tug-server.js';
import { startDocker } from './support/docker.js';

const PODS = 50;
const WINDOW_MS = 20_000;
const SETTLE_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => process.stderr.write(`[+${(performance.now() / 1000).toFixed(1)} s] ${m}\n`);
const TICKS = 100; // USER_HZ

const rssKiB = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};
/** PIDs whose command line contains all of `parts`. */
function pidsOf(...parts: string[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd = '';
    try { cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { continue; }
    if (parts.every((p) => cmd.includes(p))) out.push(Number(d));
  }
  return out;
}

interface Sample { rssMiB: number; cpuPct: number }
/** Sum of RSS now and CPU over the window, for each named group of PIDs. */
async function sample(groups: Record<string, () => number[]>): Promise<Record<string, Sample>> {
  const before = Object.fromEntries(Object.entries(groups).map(([k, f]) => [k, f().map((p) => [p, cpuTicks(p)] as const)]));
  await sleep(WINDOW_MS);
  const out: Record<string, Sample> = {};
  for (const [k, list] of Object.entries(before)) {
    let ticks = 0, rss = 0;
    for (const [pid, t0] of list) {
      try { ticks += cpuTicks(pid) - t0; rss += rssKiB(pid); } catch { /* exited */ }
    }
    out[k] = { rssMiB: rss / 1024, cpuPct: (ticks / TICKS) / (WINDOW_MS / 1000) * 100 };
  }
  return out;
}

async function tugFigures(): Promise<Record<string, Record<string, Sample>>> {
  const base = await startTugServer();
  let baseline: Record<string, Sample>;
  try {
    await sleep(SETTLE_MS);
    baseline = await sample({ server: () => [base.proc.pid!] });
  } finally { await base.cleanup(); }
  const server = await startTugServer({ agent: true });
  try {
    await waitNodeReady((a) => server.kubectl(a));
    const groups = {
      server: () => [server.proc.pid!],
      containerd: () => pidsOf('containerd --config', server.dataDir),
      shims: () => pidsOf('containerd-shim-runc-v2', server.dataDir),
    };
    await sleep(SETTLE_MS);
    const idle = await sample(groups);
    log('tug idle sampled; starting 50 pods');
    const c = await adminHttps(server.kubeconfig, { maxSockets: 16 });
    await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    await Promise.all(Array.from({ length: PODS }, (_, i) => c.request('POST', '/api/v1/namespaces/bench/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'bench' },
      spec: { containers: [{ name: 'c', image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '86400'] }] },
    })));
    for (let i = 0; ; i++) {
      const items = (await c.request('GET', '/api/v1/namespaces/bench/pods')).body.items as any[];
      if (items.filter((p) => p.status?.phase === 'Running').length === PODS) break;
      if (i > 600) throw new Error('50 pods not Running after 120 s');
      await sleep(200);
    }
    c.close();
    await sleep(SETTLE_MS);
    const busy = await sample(groups);
    return { baseline, idle, busy };
  } finally { await server.cleanup(); }
}

async function dockerFigures(imageTar: string): Promise<Record<string, Record<string, Sample>>> {
  const docker = await startDocker();
  try {
    docker.run(['load', '-i', imageTar]);
    // The daemon's data root is <its temp dir>/root; its containerd and shims name paths under that temp dir.
    const dir = dirname(docker.run(['info', '--format', '{{.DockerRootDir}}']).trim());
    const groups = {
      dockerd: () => pidsOf('dockerd', dir),
      containerd: () => pidsOf('containerd --config', dir),
      shims: () => pidsOf('containerd-shim', dir),
    };
    await sleep(SETTLE_MS);
    const idle = await sample(groups);
    log('docker idle sampled; starting 50 containers');
    for (let i = 0; i < PODS; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, PODS - i) }, () => docker.runAsync(['run', '-d', TEST_IMAGE, 'sleep', '86400'])));
    }
    await sleep(SETTLE_MS);
    const busy = await sample(groups);
    return { idle, busy };
  } finally { await docker.stop(); }
}

const imageTar = join(process.env.TMPDIR ?? '/tmp', `tug-bench-busybox-${process.pid}.tar`);
const colon = TEST_IMAGE.lastIndexOf(':');
await buildBusyboxImage({ name: TEST_IMAGE.slice(0, colon), tag: TEST_IMAGE.slice(colon + 1), out: imageTar });
log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  const d = await dockerFigures(imageTar);
  const t = await tugFigures();
  const f = (s?: Sample) => (s ? `${s.rssMiB.toFixed(1)} MiB, ${s.cpuPct.toFixed(1)}%` : '—');
  const agent = (s: Record<string, Sample>) => ({ rssMiB: s.server!.rssMiB - t.baseline!.server!.rssMiB + s.containerd!.rssMiB, cpuPct: s.server!.cpuPct - t.baseline!.server!.cpuPct + s.containerd!.cpuPct });
  const engine = (s: Record<string, Sample>) => ({ rssMiB: s.dockerd!.rssMiB + s.containerd!.rssMiB, cpuPct: s.dockerd!.cpuPct + s.containerd!.cpuPct });
  console.log(`\nNode agent memory (RSS) and CPU (% of one core over ${WINDOW_MS / 1000} s), idle and with ${PODS} pods/containers\n`);
  console.log('| | idle | 50 pods |');
  console.log('|---|---|---|');
  console.log(`| tug server --disable-agent (baseline) | ${f(t.baseline!.server)} | |`);
  console.log(`| tug server with agent | ${f(t.idle!.server)} | ${f(t.busy!.server)} |`);
  console.log(`| tug's containerd | ${f(t.idle!.containerd)} | ${f(t.busy!.containerd)} |`);
  console.log(`| **agent = server − baseline + containerd** | ${f(agent(t.idle!))} | ${f(agent(t.busy!))} |`);
  console.log(`| dockerd | ${f(d.idle!.dockerd)} | ${f(d.busy!.dockerd)} |`);
  console.log(`| docker's containerd | ${f(d.idle!.containerd)} | ${f(d.busy!.containerd)} |`);
  console.log(`| **docker engine = dockerd + containerd** | ${f(engine(d.idle!))} | ${f(engine(d.busy!))} |`);
  console.log(`| shims (tug / docker) | ${f(t.idle!.shims)} / ${f(d.idle!.shims)} | ${f(t.busy!.shims)} / ${f(d.busy!.shims)} |`);
  console.log(`\nratio agent/docker engine RSS: idle ${(agent(t.idle!).rssMiB / engine(d.idle!).rssMiB).toFixed(2)}×, 50 pods ${(agent(t.busy!).rssMiB / engine(d.busy!).rssMiB).toFixed(2)}×; load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  spawnSync('rm', ['-f', imageTar]);
}
