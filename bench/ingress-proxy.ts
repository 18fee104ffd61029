/**
 * @module Benchmark: requests/s and p50/p99 latency through the ingress proxy (startIngressProxy
 * from the compiled build, as `tug server` runs it, in its own Node process) against Debian's nginx configured as ingress-nginx configures it (upstream
 * keep-alive, X-Forwarded-* headers, access log to a file), with the same routes to the same
 * loopback backends (a small response and a 100 KB one, served by a separate Node process), over
 * HTTP and HTTPS, driven by the same client (wrk, 2 threads, 64 connections) in the same run,
 * taking turns round by round; medians of ROUNDS runs. Goal: ≥ 0.6× nginx's requests/s, p99 ≤ 2×.
 * Run: node --import tsx bench/ingress-proxy.ts
 *   (BENCH_SECONDS=10, ROUNDS=3, WARMUP_SECONDS=3, NGINX_WORKERS=1 — one nginx worker against the proxy's one event loop)
 */
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { selfSignedCertificate } from '../src/ingress/proxy/certificates.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 3);
const NGINX_WORKERS = process.env.NGINX_WORKERS ?? '1';
/** Runs per scenario and target, alternating which goes first; medians are reported (the machine is shared and noisy). */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const HOST = 'bench.test';
const run = promisify(execFile);
const log = (m: string) => process.stderr.write(`[+${(performance.now() / 1000).toFixed(1)} s] ${m}\n`);

/** Two keep-alive HTTP servers in a child process: /small answers "ok", /big 100 KB. */
const backendScript = `
const http = require('node:http');
const big = Buffer.alloc(100 * 1024, 'b');
const serve = (body) => new Promise((r) => {
  const s = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); });
  s.keepAliveTimeout = 120000;
  s.listen(0, '127.0.0.1', () => r(s.address().port));
});
Promise.all([serve(Buffer.from('ok\\n')), serve(big)]).then(([small, large]) => process.stdout.write(JSON.stringify({ small, large }) + '\\n'));
`;

/**
 * The proxy in its own process, from dist/: tsx (which runs the sources) wraps every closure it
 * creates in a name-keeping helper (an Object.defineProperty per call), which the build has not.
 */
const proxyScript = `
const c = JSON.parse(process.env.BENCH_PROXY);
const { startIngressProxy } = await import(c.dist + '/ingress/proxy/index.js');
const { backend, route, RoutesHolder, StaticRoutes } = await import(c.dist + '/ingress/proxy/testing.js');
const { default: pino } = await import('pino');
const ep = (port) => [{ ip: '127.0.0.1', port }];
const table = new StaticRoutes(1, [
  route({ host: c.host, path: '/small', backend: backend('small', ep(c.small)) }),
  route({ host: c.host, path: '/big', backend: backend('big', ep(c.large)) }),
], [{ hosts: [c.host], certPem: c.certPem, keyPem: c.keyPem, secret: { namespace: 'default', name: 'bench-tls' } }]);
// The access log goes to a file, as nginx's does, through what tug gives the proxy (cli/node-network.ts).
const log = pino({ base: { component: 'ingress' } }, pino.destination({ dest: c.accessLog, sync: false, minLength: 4096 }));
const proxy = await startIngressProxy({ routes: new RoutesHolder(table), host: '127.0.0.1', httpPort: 0, httpsPort: 0, log });
process.on('SIGTERM', () => proxy.stop().then(() => process.exit(0)));
process.stdout.write(JSON.stringify({ httpPort: proxy.httpPort, httpsPort: proxy.httpsPort }) + '\\n');
`;

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds dist/ when a source file is newer than the last build (as scripts/setup.sh does). */
function ensureBuild(): void {
  const stale = !existsSync(join(root, 'dist/.build-stamp'))
    || execFileSync('find', [join(root, 'src'), '-newer', join(root, 'dist/.build-stamp'), '-print', '-quit'], { encoding: 'utf8' }).trim() !== '';
  if (!stale) return;
  log('building dist/ (npm run build)');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}

/** A child process's first stdout line, as JSON. */
function firstLine<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(String(d))));
    child.once('exit', (c) => reject(new Error(`${what} exited ${c}`)));
  });
}

function ensureTools(): void {
  const missing = ['nginx', 'wrk'].filter((t) => { try { execFileSync('which', [t]); return false; } catch { return true; } });
  if (missing.length > 0) {
    log(`installing ${missing.join(' ')}`);
    execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'ignore' });
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function nginxConfig(dir: string, ports: { http: number; https: number; small: number; large: number }): string {
  return `
worker_processes ${NGINX_WORKERS};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log ${dir}/nginx-access.log;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  client_max_body_size 1m;
  upstream small { server 127.0.0.1:${ports.small}; keepalive 320; keepalive_timeout 60s; keepalive_requests 1000000; }
  upstream large { server 127.0.0.1:${ports.large}; keepalive 320; keepalive_timeout 60s; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${ports.http};
    listen 127.0.0.1:${ports.https} ssl http2;
    server_name ${HOST};
    ssl_certificate ${dir}/tls.crt;
    ssl_certificate_key ${dir}/tls.key;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Request-ID $request_id;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Host $http_host;
    proxy_set_header X-Forwarded-Port $server_port;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 5s;
    proxy_read_timeout 60s;
    proxy_next_upstream error timeout;
    location /small { proxy_pass http://small; }
    location /big { proxy_pass http://large; }
  }
}
`;
}

interface Result { rps: number; p50: number; p99: number; errors: number }

/** wrk's latency with its unit, in ms. */
function ms(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v.trim());
  if (!m) return NaN;
  return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[m[2]];
}

async function wrk(url: string): Promise<Result> {
  const { stdout } = await run('wrk', ['-t2', '-c64', `-d${SECONDS}s`, '--latency', '-H', `Host: ${HOST}`, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = ms(/ 50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = ms(/ 99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const errs = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = Number(errs?.[1] ?? 0) + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps, p50, p99, errors };
}

async function main(): Promise<void> {
  ensureTools();
  ensureBuild();
  const dir = await mkdtemp(join(tmpdir(), 'tug-bench-ingress-'));
  const children: ChildProcess[] = [];
  try {
    const backends = spawn(process.execPath, ['-e', backendScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(backends);
    const ports = await firstLine<{ small: number; large: number }>(backends, 'backends');
    const cert = await selfSignedCertificate({ commonName: HOST, dnsNames: [HOST] });
    await writeFile(join(dir, 'tls.crt'), cert.certPem);
    await writeFile(join(dir, 'tls.key'), cert.keyPem, { mode: 0o600 });

    const ng = { http: await freePort(), https: await freePort() };
    await writeFile(join(dir, 'nginx.conf'), nginxConfig(dir, { ...ng, ...ports }));
    const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(nginx);

    const proxyProcess = spawn(process.execPath, ['--input-type=module', '-e', proxyScript], {
      cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_PROXY: JSON.stringify({ dist: join(root, 'dist'), host: HOST, ...ports, certPem: cert.certPem, keyPem: cert.keyPem, accessLog: join(dir, 'proxy-access.log') }) },
    });
    children.push(proxyProcess);
    const proxy = await firstLine<{ httpPort: number; httpsPort: number }>(proxyProcess, 'ingress proxy');
    await new Promise((r) => setTimeout(r, 500));

    const scenarios = [
      { name: 'HTTP small', path: '/small', tls: false },
      { name: 'HTTP 100 KB', path: '/big', tls: false },
      { name: 'HTTPS small', path: '/small', tls: true },
      { name: 'HTTPS 100 KB', path: '/big', tls: true },
    ];
    const rows: string[] = [];
    for (const s of scenarios) {
      const url = (port: number) => `${s.tls ? 'https' : 'http'}://127.0.0.1:${port}${s.path}`;
      // Warm each in turn (connections, JIT: the proxy's first seconds under load run ~30 % slower), then measure one after the other.
      for (const port of s.tls ? [ng.https, proxy.httpsPort] : [ng.http, proxy.httpPort]) {
        await run('wrk', ['-t2', '-c64', `-d${WARMUP_SECONDS}s`, '-H', `Host: ${HOST}`, url(port)]);
      }
      const runs: { n: Result[]; t: Result[] } = { n: [], t: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const order: ('n' | 't')[] = round % 2 === 0 ? ['n', 't'] : ['t', 'n'];
        for (const who of order) {
          const r = await wrk(url(who === 'n' ? (s.tls ? ng.https : ng.http) : (s.tls ? proxy.httpsPort : proxy.httpPort)));
          log(`${s.name}: ${who === 'n' ? 'nginx' : 'tugboat ingress proxy'} (round ${round + 1}/${ROUNDS}): ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
          runs[who].push(r);
        }
      }
      const n = medianOf(runs.n);
      const t = medianOf(runs.t);
      rows.push([s.name.padEnd(14), fmt(t.rps, 0).padStart(9), fmt(n.rps, 0).padStart(9), fmt(t.rps / n.rps, 2).padStart(6),
        `${fmt(t.p50, 2)}/${fmt(t.p99, 2)}`.padStart(13), `${fmt(n.p50, 2)}/${fmt(n.p99, 2)}`.padStart(13), fmt(t.p99 / n.p99, 2).padStart(8),
        `${t.errors}/${n.errors}`.padStart(8)].join('  '));
    }
    console.log(`\ningress proxy vs ${spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim()} (${NGINX_WORKERS} worker), wrk -t2 -c64 -d${SECONDS}s, median of ${ROUNDS} alternating rounds, same backends, same run`);
    console.log(['scenario'.padEnd(14), 'tug req/s'.padStart(9), 'ngx req/s'.padStart(9), 'ratio'.padStart(6),
      'tug p50/p99'.padStart(13), 'ngx p50/p99'.padStart(13), 'p99 x'.padStart(8), 'errs t/n'.padStart(8)].join('  '));
    for (const r of rows) console.log(r);
    console.log('latencies in ms; goal: ratio ≥ 0.60, p99 x ≤ 2.00');
  } finally {
    for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const medianOf = (rs: Result[]): Result => ({ rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)),
  p99: median(rs.map((r) => r.p99)), errors: rs.reduce((a, r) => a + r.errors, 0) });
const fmt = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');

await main();
