/**
 * @module Benchmark: the service proxy's sync time (full, and one service's endpoints changed) and
 * first-packet latency (a new TCP connection to a ClusterIP, DNATed to a pod) with 1,000 and
 * 10,000 services × 10 endpoints, in a throwaway node netns. Baselines measured in the same run:
 * the same with 10 services (the verdict map's O(1) claim), and first packets through an
 * iptables-style linear chain (one rule per service port, the measured service last).
 * Syncs run the proxy's Ruleset and nft as the proxy does, without the API in between.
 * Run: node --import tsx bench/proxy-sync.ts   (PROXY_BENCH_SIZES=10,1000 to choose)
 */
import pino from 'pino';
import { nft } from '../src/net/nft.js';
import { applyScript } from '../src/proxy/nft-apply.js';
import { Ruleset, type ServiceInput } from '../src/proxy/ruleset.js';
import { clusterChain } from '../src/proxy/names.js';
import { connectFrom, makeTestNode, NodeIP, type TestNode } from '../src/proxy/testkit.js';

const SIZES = (process.env.PROXY_BENCH_SIZES ?? '10,1000,10000').split(',').map(Number);
const ENDPOINTS = 10;
const CONNECTS = 300;
const WARMUP = 20;
const PARTIAL_RUNS = 7;
const TABLE = 'tugboat-proxy-bench';
const log = pino({ level: 'info' });

const clusterIPOf = (i: number) => `10.43.${(i + 1) >> 8}.${(i + 1) & 255}`;
const fakeIP = (k: number) => `10.${44 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;

function serviceInput(i: number, endpointIPs: string[]): ServiceInput {
  const name = `svc-${i}`;
  return {
    service: { metadata: { namespace: 'bench', name }, spec: { type: 'ClusterIP', clusterIP: clusterIPOf(i), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
    slices: [{
      metadata: { namespace: 'bench', name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: endpointIPs.map((ip) => ({ addresses: [ip], nodeName: 'n1', conditions: { ready: true } })),
    }],
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)];

interface Row { services: number; planMs: number; fullMs: number; scriptMB: number; partialMs: number; cleanupMs: number; mapUs: number; mapP99Us: number; linearUs: number }

async function measure(tn: TestNode, n: number): Promise<Row> {
  const podIP = tn.pods.get('a')!.ip;
  const all = new Map<string, ServiceInput>();
  // The measured service is the last one (for the linear chain, the worst place); it sends to the real pod.
  for (let i = 0; i < n; i++) {
    const eps = i === n - 1 ? [podIP] : Array.from({ length: ENDPOINTS }, (_, j) => fakeIP(i * ENDPOINTS + j));
    all.set(`bench/svc-${i}`, serviceInput(i, eps));
  }
  const apply = (script: string) => (script ? applyScript(script, { netns: tn.node, timeoutMs: 600_000 }) : Promise.resolve());
  const ruleset = new Ruleset({ table: TABLE, nodeName: 'n1', nodeIPs: [NodeIP], clusterCIDR: '10.42.0.0/16' });

  let t0 = performance.now();
  const full = ruleset.planFull(all);
  const planMs = performance.now() - t0;
  await apply(full.script);
  full.commit();
  const fullMs = performance.now() - t0;

  // One service's endpoints change (one endpoint replaced), as in a rolling update.
  const partial: number[] = [];
  for (let r = 0; r < PARTIAL_RUNS; r++) {
    const i = Math.floor(n / 2);
    const eps = Array.from({ length: ENDPOINTS }, (_, j) => fakeIP(i * ENDPOINTS + j));
    eps[0] = fakeIP(200_000 + r);
    t0 = performance.now();
    const plan = ruleset.planPartial(new Map([[`bench/svc-${i}`, serviceInput(i, eps)]]));
    await apply(plan.script);
    plan.commit();
    partial.push(performance.now() - t0);
  }
  // The old endpoints' chains, flushed by those syncs, deleted together (the proxy does it every 30 s at most).
  t0 = performance.now();
  const cleanup = ruleset.planPartial(new Map(), true);
  await apply(cleanup.script);
  cleanup.commit();
  const cleanupMs = performance.now() - t0;

  const target = clusterIPOf(n - 1);
  const connects = (what: string) => {
    connectFrom(tn.pods.get('client')!.netns, target, 80, WARMUP); // ARP, caches
    const answers = connectFrom(tn.pods.get('client')!.netns, target, 80, CONNECTS);
    const bad = answers.filter((a) => !a.out);
    if (bad.length > 0) throw new Error(`${what}: ${bad.length} of ${CONNECTS} connections failed (${bad[0].err})`);
    return answers.map((a) => a.connectMs * 1000);
  };
  const mapUs = connects('verdict map');

  // The same services behind a linear chain, as iptables(-nft) mode matches them.
  const lines = [`flush chain ip ${TABLE} services`];
  for (let i = 0; i < n; i++) {
    const id = { namespace: 'bench', name: `svc-${i}`, proto: 'tcp', portName: 'http', port: 80 };
    lines.push(`add rule ip ${TABLE} services ip daddr ${clusterIPOf(i)} tcp dport 80 goto ${clusterChain(id)}`);
  }
  await apply(`${lines.join('\n')}\n`);
  const linearUs = connects('linear chain');
  await nft(['delete', 'table', 'ip', TABLE], undefined, { netns: tn.node });
  return {
    services: n, planMs, fullMs, scriptMB: full.script.length / 1e6, partialMs: median(partial), cleanupMs,
    mapUs: median(mapUs), mapP99Us: p99(mapUs), linearUs: median(linearUs),
  };
}

const tn = await makeTestNode(['a', 'client']);
try {
  await tn.serve('a');
  const rows: Row[] = [];
  for (const n of SIZES) {
    log.info({ services: n }, 'measuring');
    rows.push(await measure(tn, n));
  }
  const base = rows[0];
  const f = (x: number, d = 0) => x.toFixed(d);
  console.log(`\nservice proxy sync and first packet (${ENDPOINTS} endpoints a service; connect = SYN to SYN-ACK through DNAT, median of ${CONNECTS})`);
  console.log('services | full sync ms (of it planning) | script MB | 1-svc sync ms | partial/full | stale cleanup ms | connect µs (map) | p99 µs | ×vs ' + base.services + ' svc | connect µs (linear chain) | linear/map');
  for (const r of rows) {
    console.log([r.services, `${f(r.fullMs)} (${f(r.planMs)})`, f(r.scriptMB, 1), f(r.partialMs, 1), f(r.partialMs / r.fullMs, 4), f(r.cleanupMs), f(r.mapUs), f(r.mapP99Us),
      f(r.mapUs / base.mapUs, 2), f(r.linearUs), f(r.linearUs / r.mapUs, 2)].join(' | '));
  }
} finally {
  tn.cleanup();
}
