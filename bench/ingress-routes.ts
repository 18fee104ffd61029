/**
 * @module Benchmark: the ingress route table's rebuild time with 100 / 1,000 / 5,000 Ingresses
 * (each 2 hosts × 3 paths, with its Service and EndpointSlice), and the cost of match() per
 * request against a baseline measured in the same run: a naive linear scan over every route
 * (host pattern, then path, by the spec's precedence) — what a table without a host index costs.
 * The naive scan also cross-checks the answers. The build runs as the node agent runs it, over
 * in-memory caches, without the API in between.
 * Run: node --import tsx bench/ingress-routes.ts   (INGRESS_BENCH_SIZES=100,1000 to choose)
 */
import type { Obj } from '../src/client/client.js';
import { buildRouteTable, type BuildInput } from '../src/ingress/routes/build.js';
import { normalizeHost, wildcardOf } from '../src/ingress/routes/table.js';
import type { RouteTable } from '../src/ingress/types.js';

const SIZES = (process.env.INGRESS_BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const REQUESTS = 200_000;
const NAIVE_REQUESTS = 3_000;

interface NaiveRoute { ingress: string; host: string; path: string; pathType: string }

function objects(n: number) {
  const ingresses: Obj[] = [];
  const services = new Map<string, Obj>();
  const slices = new Map<string, Obj[]>();
  const created = new Date(Date.UTC(2026, 0, 1)).getTime();
  for (let i = 0; i < n; i++) {
    const name = `app-${i}`;
    const svc = { metadata: { namespace: 'bench', name }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
    services.set(`bench/${name}`, svc);
    slices.set(`bench/${name}`, [{ metadata: { namespace: 'bench', name: `${name}-1` }, addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [1, 2, 3].map((k) => ({ addresses: [`10.${42 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255)}`.replace(/\.\d+$/, `.${(i * 3 + k) & 255}`)], conditions: { ready: true } })) }]);
    const backend = { service: { name, port: { number: 80 } } };
    const paths = [{ path: '/', pathType: 'Prefix', backend }, { path: '/api', pathType: 'Prefix', backend }, { path: '/healthz', pathType: 'Exact', backend }];
    // Every tenth Ingress serves a wildcard host, so the table has both kinds.
    const hosts = [`a${i}.bench.example`, i % 10 === 0 ? `*.w${i}.bench.example` : `b${i}.bench.example`];
    ingresses.push({ metadata: { namespace: 'bench', name, creationTimestamp: new Date(created + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
      spec: { ingressClassName: 'tugboat', rules: hosts.map((host) => ({ host, http: { paths } })) } });
  }
  const input: BuildInput = {
    ingresses,
    service: (ns, name) => services.get(`${ns}/${name}`),
    slices: (ns, name) => slices.get(`${ns}/${name}`) ?? [],
    secret: () => undefined,
  };
  const naive: NaiveRoute[] = ingresses.flatMap((ing) => ing.spec.rules.flatMap((r: Obj) =>
    r.http.paths.map((p: Obj) => ({ ingress: ing.metadata.name, host: r.host, path: p.path, pathType: p.pathType }))));
  return { input, naive };
}

/** The spec's precedence by brute force: the most specific host that has rules, then Exact, then the longest element-wise prefix. */
function naiveMatch(routes: NaiveRoute[], rawHost: string, path: string): string | undefined {
  const host = normalizeHost(rawHost);
  const wildcard = wildcardOf(host);
  let best: NaiveRoute | undefined;
  let bestHostRank = 3;
  let bestScore = -1;
  for (const r of routes) {
    const rank = r.host === host ? 0 : r.host === wildcard ? 1 : r.host === '' ? 2 : 3;
    if (rank > bestHostRank || rank === 3) continue;
    if (rank < bestHostRank) { bestHostRank = rank; best = undefined; bestScore = -1; }
    const prefix = r.path.replace(/\/+$/, '');
    const matches = r.pathType === 'Exact' ? r.path === path : path === prefix || path.startsWith(`${prefix}/`) || prefix === '';
    if (!matches) continue;
    const score = r.pathType === 'Exact' ? Number.MAX_SAFE_INTEGER : prefix.length;
    if (score > bestScore) { best = r; bestScore = score; }
  }
  return best?.ingress;
}

function requests(n: number, count: number): [string, string][] {
  const paths = ['/', '/api/users/42', '/healthz', '/apix', '/static/app.js'];
  const out: [string, string][] = [];
  let seed = 12345;
  const rnd = (m: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % m; };
  for (let k = 0; k < count; k++) {
    const i = rnd(n);
    const kind = rnd(10);
    const host = kind === 9 ? `nobody${i}.example` : kind < 5 ? `a${i}.bench.example` : i % 10 === 0 ? `x.w${i}.bench.example` : `b${i}.bench.example`;
    out.push([host, paths[rnd(paths.length)]!]);
  }
  return out;
}

function timeMatches(t: RouteTable, reqs: [string, string][]): number {
  let hits = 0;
  const start = process.hrtime.bigint();
  for (const [h, p] of reqs) if (t.match(h, p)) hits++;
  const ns = Number(process.hrtime.bigint() - start) / reqs.length;
  if (hits === 0) throw new Error('no request matched');
  return ns;
}

function timeNaive(routes: NaiveRoute[], reqs: [string, string][]): number {
  let hits = 0;
  const start = process.hrtime.bigint();
  for (const [h, p] of reqs) if (naiveMatch(routes, h, p)) hits++;
  if (hits === 0) throw new Error('no request matched');
  return Number(process.hrtime.bigint() - start) / reqs.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: string[][] = [];
for (const n of SIZES) {
  const { input, naive } = objects(n);
  const builds: number[] = [];
  let table: RouteTable | undefined;
  for (let r = 0; r < (n >= 5000 ? 5 : 9); r++) {
    const start = performance.now();
    table = buildRouteTable(input, r + 1).table;
    builds.push(performance.now() - start);
  }
  const t = table!;
  // Cross-check: the index and the naive scan pick the same ingress for every sampled request.
  for (const [h, p] of requests(n, 2_000)) {
    const got = t.match(h, p)?.ingress.name;
    const want = naiveMatch(naive, h, p);
    if (got !== want) throw new Error(`${h}${p}: table says ${got}, naive scan says ${want}`);
  }
  timeMatches(t, requests(n, 20_000)); // warm-up
  const indexed = median([0, 1, 2].map(() => timeMatches(t, requests(n, REQUESTS))));
  const naiveNs = median([0, 1, 2].map(() => timeNaive(naive, requests(n, Math.max(200, Math.floor(NAIVE_REQUESTS * 1000 / n))))));
  const ms = median(builds);
  rows.push([String(n), String(naive.length), ms.toFixed(1), ((ms * 1000) / n).toFixed(1), indexed.toFixed(0), naiveNs.toFixed(0), `${(naiveNs / indexed).toFixed(0)}×`]);
}

const head = ['ingresses', 'routes', 'rebuild ms (median)', 'rebuild µs/ingress', 'match ns/req (index)', 'match ns/req (naive scan)', 'naive / index'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
