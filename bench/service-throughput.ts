/**
 * @module Traffic through a ClusterIP against the same traffic straight to the pod: `tug server`
 * with its node agent runs one busybox httpd pod behind a Service; a client on the node (this
 * process) downloads a 64 MiB file and makes many small requests (a new connection each: busybox
 * httpd does not keep connections alive, so every request pays the proxy's first-packet path),
 * through the ClusterIP and to the pod IP, taking turns round by round so the machine's other load
 * falls on both. Prints MiB/s, requests/s, p50/p99 and the ClusterIP/direct ratios (goal ≥ 0.95).
 * Run: node --import tsx bench/service-throughput.ts
 */
import { request } from 'node:http';
import { TEST_IMAGE } from '../src/kubelet/images/names.js';
import { startTugServer } from '../test/support/tug-server.js';
import { waitNodeReady } from '../test/support/node-agent.js';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const SMALL_REQUESTS = 400;
const DOWNLOADS = 8;
const CONCURRENCY = 8;
const log = (m: string) => process.stderr.write(`[+${(performance.now() / 1000).toFixed(1)} s] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!; };
const median = (xs: number[]) => pct(xs, 50);

/** GET http://host:port/path, reading the whole body; resolves with the byte count. */
function get(host: string, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, timeout: 30_000 }, (res) => {
      if (res.statusCode !== 200) { res.resume(); return reject(new Error(`GET ${host}:${port}${path}: ${res.statusCode}`)); }
      let n = 0;
      res.on('data', (d: Buffer) => { n += d.length; });
      res.on('end', () => resolve(n));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port}${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** MiB/s over DOWNLOADS back-to-back downloads: one 64 MiB transfer lasts a tenth of a second, too short to time alone. */
async function download(host: string, port: number): Promise<number> {
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < DOWNLOADS; i++) bytes += await get(host, port, '/big');
  return bytes / 1024 / 1024 / ((performance.now() - t0) / 1000);
}

async function smallRequests(host: string, port: number): Promise<{ rps: number; lat: number[] }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < SMALL_REQUESTS) {
      const s = performance.now();
      await get(host, port, '/small');
      lat.push(performance.now() - s);
    }
  }));
  return { rps: SMALL_REQUESTS / ((performance.now() - t0) / 1000), lat };
}

async function main(): Promise<void> {
  const server = await startTugServer({ agent: true });
  try {
    await waitNodeReady((a) => server.kubectl(a));
    const script = 'mkdir -p /www && head -c 67108864 /dev/zero > /www/big && echo ok > /www/small && exec httpd -f -p 8080 -h /www';
    server.kubectl(['create', 'deployment', 'echo', `--image=${TEST_IMAGE}`, '--', 'sh', '-c', script]);
    server.kubectl(['expose', 'deployment', 'echo', '--port=80', '--target-port=8080']);
    const r = server.kubectl(['wait', '--for=condition=Available', 'deployment/echo', '--timeout=120s']);
    if (r.code !== 0) throw new Error(`deployment not available: ${r.stderr}\n${server.stderr().slice(-3000)}`);
    const podIP = server.kubectl(['get', 'pods', '-l', 'app=echo', '-o', 'jsonpath={.items[0].status.podIP}']).stdout.trim();
    const clusterIP = server.kubectl(['get', 'svc', 'echo', '-o', 'jsonpath={.spec.clusterIP}']).stdout.trim();
    log(`pod ${podIP}:8080, service ${clusterIP}:80`);
    // The pod answers once httpd is up; the service once the proxy has programmed its endpoint.
    for (const [h, p] of [[podIP, 8080], [clusterIP, 80]] as const) {
      for (let i = 0; ; i++) {
        try { await get(h, p, '/small'); break; } catch (e) { if (i > 100) throw e; await sleep(200); }
      }
    }
    const targets = { direct: [podIP, 8080], clusterIP: [clusterIP, 80] } as const;
    const mibs = { direct: [] as number[], clusterIP: [] as number[] };
    const rps = { direct: [] as number[], clusterIP: [] as number[] };
    const lat = { direct: [] as number[], clusterIP: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always runs on a warmer cache.
      const order = round % 2 ? (['clusterIP', 'direct'] as const) : (['direct', 'clusterIP'] as const);
      for (const k of order) {
        const [h, p] = targets[k];
        mibs[k].push(await download(h, p));
        const s = await smallRequests(h, p);
        rps[k].push(s.rps);
        lat[k].push(...s.lat);
      }
      log(`round ${round + 1}/${ROUNDS}: ${mibs.direct.at(-1)!.toFixed(0)} vs ${mibs.clusterIP.at(-1)!.toFixed(0)} MiB/s`);
    }
    const row = (name: string, d: number, c: number, unit: string, higherBetter: boolean) =>
      `| ${name} | ${d.toFixed(1)} ${unit} | ${c.toFixed(1)} ${unit} | ${(higherBetter ? c / d : d / c).toFixed(3)} |`;
    console.log(`\nClusterIP vs pod IP, one busybox httpd pod, client on the node, ${ROUNDS} rounds (medians)\n`);
    console.log('| measure | direct to pod | through ClusterIP | ClusterIP/direct (≥ 0.95 is the goal; 1 = same) |');
    console.log('|---|---|---|---|');
    console.log(row(`download ${DOWNLOADS} × 64 MiB`, median(mibs.direct), median(mibs.clusterIP), 'MiB/s', true));
    const paired = mibs.direct.map((d, i) => mibs.clusterIP[i]! / d);
    console.log(`| download, median of the rounds' own ratios | | | ${median(paired).toFixed(3)} |`);
    console.log(row(`small GETs, ${CONCURRENCY} at a time, new connection each`, median(rps.direct), median(rps.clusterIP), 'req/s', true));
    console.log(row('  latency p50', pct(lat.direct, 50), pct(lat.clusterIP, 50), 'ms', false));
    console.log(row('  latency p99', pct(lat.direct, 99), pct(lat.clusterIP, 99), 'ms', false));
  } finally {
    // Stops the server and removes its pods, bridge, tables and data dir.
    await server.cleanup();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
