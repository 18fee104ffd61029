/**
 * @module Scheduler throughput (pods/s) and latency on 100, 1,000 and 5,000 nodes, 10,000 pods each,
 * for basic pods, pods with required anti-affinity (hostname) and pods with a DoNotSchedule
 * topology spread (zone), against kube-scheduler's CI floors at 5,000 nodes (issue 3).
 *
 * What the first table measures, end to end and in-process: a real API server stack (LocalClient →
 * registry with admission → watch cache → SQLite store) and the real Scheduler (informers, queue,
 * binding through pods/binding, a Scheduled event per pod). The nodes exist first; then the clock
 * starts and the bench creates the 10,000 pods (64 creates in flight, competing with the scheduler
 * for the same event loop) while the scheduler runs. A pod counts as bound when the bench's own
 * watch sees it with spec.nodeName. pods/s = pods / (last bound − first create); latency = create
 * call → bound seen. This is scheduler_perf's SchedulingThroughput "Average" (pods scheduled over
 * the measured window while the measured pods are created), without its init pods and with the
 * API server sharing the process and the machine's 2 cores.
 * The second table runs the scheduling algorithm alone (cache + framework + assume; no API, no
 * binding) on the same shapes: the scheduler's own hot path.
 * Run: node --import tsx bench/scheduler.ts   (SCHED_BENCH_SCALE=0.1 for a quick run; knobs below)
 */
import type { Obj } from '../src/client/client.js';
import { EventBroadcaster } from '../src/client/events.js';
import { InformerFactory } from '../src/client/informer.js';
import { ref } from '../src/client/kind-ref.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Cache } from '../src/scheduler/cache/cache.js';
import { CycleState } from '../src/scheduler/framework/cycle-state.js';
import { newPodInfo } from '../src/scheduler/framework/pod-info.js';
import { Framework } from '../src/scheduler/framework/runtime.js';
import { defaultProfile, inTreeRegistry } from '../src/scheduler/registry.js';
import { Algorithm } from '../src/scheduler/schedule-one.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { startInProcess } from '../test/support/in-process.js';

type Shape = 'basic' | 'anti-affinity' | 'spread';
const SCALE = Number(process.env.SCHED_BENCH_SCALE ?? '1');
/** kube-scheduler's CI floors (pods/s) for the same shapes at 5,000 nodes. */
const UPSTREAM_FLOOR: Record<Shape, number> = { basic: 270, 'anti-affinity': 60, spread: 85 };
/** Issue 3's shapes: 10,000 pods on each cluster size. */
const ALL_CASES: { nodes: number; pods: number }[] = [
  { nodes: 100, pods: 10_000 },
  { nodes: 1_000, pods: 10_000 },
  { nodes: 5_000, pods: 10_000 },
];
/** SCHED_BENCH_NODES="5000" limits the cases to those node counts (before scaling). */
const onlyNodes = process.env.SCHED_BENCH_NODES?.split(',').map(Number);
const CASES = ALL_CASES.filter((c) => !onlyNodes || onlyNodes.includes(c.nodes));
const SHAPES: Shape[] = ['basic', 'anti-affinity', 'spread'];
const ZONES = 10;
const NS = 'default';
const CREATE_CONCURRENCY = 64;

const node = (i: number): Obj => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % ZONES}` } },
  status: { allocatable: { cpu: '32', memory: '256Gi', pods: '110' }, capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }] },
});

function pod(i: number, shape: Shape, groups: number): Obj {
  const spec: Obj = { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '100Mi' } } }] };
  const labels: Obj = { app: shape };
  if (shape === 'anti-affinity') {
    labels.group = `g${i % groups}`;
    spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchLabels: { group: labels.group } }, topologyKey: 'kubernetes.io/hostname' }] } };
  }
  if (shape === 'spread') {
    spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: shape } } }];
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: NS, labels }, spec };
}

async function forEachLimit(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => { while (next < n) await fn(next++); }));
}

interface Result { nodes: number; pods: number; shape: Shape; podsPerSec: number; createPerSec: number; p50: number; p99: number; seconds: number }

async function runCase(nodes: number, pods: number, shape: Shape): Promise<Result> {
  const cluster = await startInProcess();
  const ctl = new AbortController();
  let running: Promise<void> | undefined;
  try {
    const client = cluster.client('bench');
    await forEachLimit(nodes, 32, (i) => client.create(ref('Node'), node(i)));
    const schedClient = cluster.client('default-scheduler');
    const broadcaster = new EventBroadcaster(schedClient);
    const scheduler = new Scheduler({ client: schedClient, informers: new InformerFactory(schedClient), events: broadcaster.recorder('default-scheduler'),
      parallelBinds: Number(process.env.SCHED_BINDS ?? 32) });
    running = scheduler.run(ctl.signal);
    while (scheduler.cache.nodes().length < nodes) await new Promise((r) => setTimeout(r, 20));

    const created = new Array<number>(pods);
    const bound = new Array<number>(pods);
    let boundCount = 0;
    let allBound!: () => void;
    const done = new Promise<void>((r) => { allBound = r; });
    const listed = await client.list(ref('Pod', NS));
    void (async () => {
      for await (const ev of client.watch(ref('Pod', NS), { resourceVersion: listed.resourceVersion }, ctl.signal)) {
        const o = ev.object;
        if (!o?.spec?.nodeName) continue;
        const i = Number(String(o.metadata.name).slice(4));
        if (bound[i] !== undefined) continue;
        bound[i] = performance.now();
        if (++boundCount === pods) allBound();
      }
    })();

    const groups = Math.ceil((2 * pods) / nodes);
    const t0 = performance.now();
    await forEachLimit(pods, CREATE_CONCURRENCY, async (i) => {
      created[i] = performance.now();
      await client.create(ref('Pod', NS), pod(i, shape, groups));
    });
    const tCreated = performance.now();
    const timeout = setTimeout(() => allBound(), 240_000);
    await done;
    clearTimeout(timeout);
    if (boundCount < pods) throw new Error(`${shape} on ${nodes} nodes: only ${boundCount}/${pods} pods bound in time`);
    const tEnd = Math.max(...bound);
    const lat = bound.map((b, i) => b - created[i]).sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    return { nodes, pods, shape, podsPerSec: pods / ((tEnd - t0) / 1000), createPerSec: pods / ((tCreated - t0) / 1000),
      p50: q(0.5), p99: q(0.99), seconds: (tEnd - t0) / 1000 };
  } finally {
    ctl.abort();
    await running;
    await cluster.close();
  }
}

/** The algorithm alone: pods/s of schedulePod + assume over a cache of `nodes` nodes. */
function algorithmOnly(nodes: number, pods: number, shape: Shape): number {
  const cache = new Cache();
  for (let i = 0; i < nodes; i++) cache.setNode(node(i) as Node);
  const fwk = new Framework(inTreeRegistry, defaultProfile(), { snapshot: () => cache, nominatedPodsForNode: () => [] });
  const algorithm = new Algorithm(fwk, cache);
  const groups = Math.ceil((2 * pods) / nodes);
  const t0 = performance.now();
  for (let i = 0; i < pods; i++) {
    const info = newPodInfo(pod(i, shape, groups) as Pod);
    cache.assumePod(info, algorithm.schedulePod(new CycleState(), info).suggestedHost);
  }
  return pods / ((performance.now() - t0) / 1000);
}

/**
 * SCHED_BENCH_ONLY="basic,spread" limits the shapes; SCHED_BENCH_ALGORITHM=only skips the in-process
 * runs, =skip the algorithm table (profiling one side).
 */
const only = process.env.SCHED_BENCH_ONLY?.split(',');
const algorithmOnlyRun = process.env.SCHED_BENCH_ALGORITHM === 'only';
const skipAlgorithm = process.env.SCHED_BENCH_ALGORITHM === 'skip';
const results: Result[] = [];
const tStart = performance.now();
for (const c of algorithmOnlyRun ? [] : CASES) {
  for (const shape of SHAPES.filter((s) => !only || only.includes(s))) {
    const r = await runCase(Math.max(10, Math.round(c.nodes * SCALE)), Math.max(10, Math.round(c.pods * SCALE)), shape);
    results.push(r);
    console.error(`${shape} ${r.nodes} nodes: ${r.podsPerSec.toFixed(0)} pods/s in ${r.seconds.toFixed(0)} s`);
  }
}

const pad = (s: string, n: number) => s.padStart(n);
console.log(`\nScheduler throughput, in-process (${new Date().toISOString()}); latency = create → bound seen by a watch`);
console.log(['nodes', 'pods', 'shape', 'pods/s', 'create/s', 'p50 ms', 'p99 ms', 'k8s floor @5k', 'ratio'].map((h, i) => pad(h, i === 2 ? 14 : 10)).join(' '));
for (const r of results) {
  const floor = UPSTREAM_FLOOR[r.shape];
  console.log([String(r.nodes), String(r.pods), r.shape, r.podsPerSec.toFixed(0), r.createPerSec.toFixed(0), r.p50.toFixed(0), r.p99.toFixed(0),
    String(floor), `${(r.podsPerSec / floor).toFixed(2)}x`].map((v, i) => pad(v, i === 2 ? 14 : 10)).join(' '));
}

console.log('\nScheduling algorithm alone (cache + plugins + assume; no API, no binding)');
console.log(['nodes', 'pods', 'shape', 'pods/s', 'k8s floor @5k', 'ratio'].map((h, i) => pad(h, i === 2 ? 14 : 10)).join(' '));
for (const c of skipAlgorithm ? [] : CASES) {
  for (const shape of SHAPES.filter((s) => !only || only.includes(s))) {
    const nodes = Math.max(10, Math.round(c.nodes * SCALE));
    const pods = Math.max(10, Math.round(c.pods * SCALE));
    const rate = algorithmOnly(nodes, pods, shape);
    console.log([String(nodes), String(pods), shape, rate.toFixed(0), String(UPSTREAM_FLOOR[shape]), `${(rate / UPSTREAM_FLOOR[shape]).toFixed(2)}x`]
      .map((v, i) => pad(v, i === 2 ? 14 : 10)).join(' '));
  }
}
console.log(`\ntotal ${((performance.now() - tStart) / 1000).toFixed(0)} s`);
