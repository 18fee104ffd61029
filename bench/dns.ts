/**
 * @module Benchmark: queries/s and p50/p99 latency of the cluster DNS (startClusterDNS over an
 * in-process API holding 1,000 services) for service names over UDP, against a baseline UDP server
 * on loopback that answers every query with one precomputed packet (the floor of node's UDP
 * stack), both driven in the same run by the same closed-loop clients in a worker thread.
 * Run: node --import tsx bench/dns.ts   (DNS_BENCH_MS, DNS_BENCH_CLIENTS="1,16,64" to change)
 */
import dgram from 'node:dgram';
import { Worker } from 'node:worker_threads';
import dnsPacket from 'dns-packet';
import { pino } from 'pino';
import { ref } from '../src/client/kind-ref.js';
import { startClusterDNS } from '../src/dns/index.js';
import { startInProcess } from '../test/support/in-process.js';

const SERVICES = 1000;
const RUN_MS = Number(process.env.DNS_BENCH_MS ?? 3000);
const CLIENTS = (process.env.DNS_BENCH_CLIENTS ?? '1,16,64').split(',').map(Number);

/** Closed-loop UDP clients: each sends a query, waits for its answer (or 1 s), and sends the next. */
const loadGenerator = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { port, clients, ms, queries } = workerData;
const bufs = queries.map((q) => Buffer.from(q, 'base64'));
const lat = [];
let done = 0, lost = 0;
const end = Date.now() + ms;
Promise.all(Array.from({ length: clients }, (_, c) => new Promise((resolve) => {
  const s = dgram.createSocket('udp4');
  let i = c, t0 = 0n, timer;
  const next = () => {
    if (Date.now() >= end) { clearTimeout(timer); s.close(); return resolve(); }
    t0 = process.hrtime.bigint();
    s.send(bufs[i++ % bufs.length], port, '127.0.0.1');
    timer = setTimeout(() => { lost++; next(); }, 1000);
  };
  s.on('message', () => {
    clearTimeout(timer);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e3);
    done++;
    next();
  });
  s.bind(0, '127.0.0.1', next);
}))).then(() => parentPort.postMessage({ done, lost, lat }));
`;

interface Result { qps: number; p50: number; p99: number; lost: number }

function drive(port: number, clients: number, queries: Buffer[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const w = new Worker(loadGenerator, { eval: true, workerData: { port, clients, ms: RUN_MS, queries: queries.map((q) => q.toString('base64')) } });
    w.once('error', reject);
    w.once('message', (m: { done: number; lost: number; lat: number[] }) => {
      const lat = m.lat.sort((a, b) => a - b);
      const at = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? NaN;
      resolve({ qps: m.done / (RUN_MS / 1000), p50: at(0.5), p99: at(0.99), lost: m.lost });
      void w.terminate();
    });
  });
}

const query = (name: string, id: number) =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });

async function main(): Promise<void> {
  const cluster = await startInProcess();
  const client = cluster.client();
  const log = pino({ level: 'silent' });
  const baseline = dgram.createSocket('udp4');
  let dns: Awaited<ReturnType<typeof startClusterDNS>> | undefined;
  try {
    const svcRef = ref('Service', 'default');
    const t0 = Date.now();
    for (let i = 0; i < SERVICES; i++) {
      await client.create(svcRef, {
        apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'default' },
        spec: { clusterIP: `10.43.${4 + (i >> 8)}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      });
    }
    console.log(`created ${SERVICES} services in ${Date.now() - t0} ms`);
    dns = await startClusterDNS({ client, host: '127.0.0.1', port: 0, upstream: [], log });
    await dns.ready;

    // The floor: one precomputed answer (the cluster DNS's own reply to the hot name) for every query.
    const one = query('svc-500.default.svc.cluster.local', 1);
    const precomputed = await new Promise<Buffer>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.on('message', (m) => { s.close(); resolve(m); });
      s.send(one, dns!.port, '127.0.0.1');
    });
    if (dnsPacket.decode(precomputed).answers?.[0]?.type !== 'A') throw new Error('the cluster DNS did not answer the bench name');
    baseline.on('message', (_m, r) => baseline.send(precomputed, r.port, r.address));
    await new Promise<void>((r) => baseline.bind(0, '127.0.0.1', r));
    const baselinePort = baseline.address().port;

    const patterns: [string, Buffer[]][] = [
      ['one name', [one]],
      [`${SERVICES} names`, Array.from({ length: SERVICES }, (_, i) => query(`svc-${i}.default.svc.cluster.local`, i + 1))],
    ];
    console.log(`\n${SERVICES} services loaded, ${RUN_MS} ms per cell, UDP on loopback, clients in a worker thread`);
    console.log('| queries    | clients | tug q/s | floor q/s | tug/floor | tug p50 µs | floor p50 µs | tug p99 µs | floor p99 µs | lost |');
    console.log('|------------|--------:|--------:|----------:|----------:|-----------:|-------------:|-----------:|-------------:|-----:|');
    let cell = 0;
    for (const [label, queries] of patterns) {
      for (const c of CLIENTS) {
        // Alternate which goes first so that drift on a noisy machine falls on both.
        const first = cell++ % 2 === 0;
        const floor = first ? await drive(baselinePort, c, queries) : undefined;
        const tug = await drive(dns.port, c, queries);
        const floorResult = floor ?? await drive(baselinePort, c, queries);
        console.log(`| ${label.padEnd(10)} | ${String(c).padStart(7)} | ${tug.qps.toFixed(0).padStart(7)} | ${floorResult.qps.toFixed(0).padStart(9)} | ` +
          `${(tug.qps / floorResult.qps).toFixed(2).padStart(8)}x | ${tug.p50.toFixed(0).padStart(10)} | ${floorResult.p50.toFixed(0).padStart(12)} | ` +
          `${tug.p99.toFixed(0).padStart(10)} | ${floorResult.p99.toFixed(0).padStart(12)} | ${String(tug.lost + floorResult.lost).padStart(4)} |`);
      }
    }
  } finally {
    baseline.close();
    await dns?.stop();
    await cluster.close();
  }
}

await main();
