/**
 * @module Starts the real `bin/tug server` for e2e tests: a temp data dir, a free port, the
 * kubeconfig it writes, a kubectl runner bound to it, and clean-up of the process and the dir.
 * In a test host (a network namespace, see test-hosts.ts) the server listens on the host's address,
 * which kubectl reaches from here over the hosts' bridge; `startTugAgent` joins more hosts to it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { parse as parseYAML } from 'yaml';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inNetns, type TestHost } from './test-hosts.js';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const tugBin = join(repoRoot, 'bin/tug');
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface KubectlResult { code: number; stdout: string; stderr: string }

export interface KubectlOptions { input?: string; env?: Record<string, string>; timeoutMs?: number }

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: string; json(): any }

export interface RawOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Send no client certificate (anonymous). */
  anonymous?: boolean;
}

export interface TugServer {
  dataDir: string;
  kubeconfig: string;
  /** The address the API server listens on as clients reach it (127.0.0.1, or the test host's IP). */
  address: string;
  port: number;
  /** The test host it runs in, if any. */
  host?: TestHost;
  /** The Node name of its node agent (with `agent: true`). */
  nodeName?: string;
  proc: ChildProcess;
  /** Runs the real kubectl against this server. */
  kubectl(args: string[], opts?: KubectlOptions): KubectlResult;
  /** Runs kubectl without blocking the event loop; resolves when it exits or is killed at the timeout (code -1). */
  kubectlAsync(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Starts kubectl in the background (for -w and -f); cleanup() kills it if still running. */
  kubectlSpawn(args: string[], opts?: { env?: Record<string, string> }): ChildProcess;
  /** One HTTPS request with the kubeconfig's CA and client certificate (none when anonymous). */
  request(method: string, path: string, opts?: RawOptions): Promise<RawResponse>;
  /** Writes a file into the data dir and returns its path. */
  writeFile(name: string, content: string): string;
  /** SIGTERM and wait; the data dir stays (for restarts). */
  stop(): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** Starts a new process on the same data dir and port; extraArgs (if given) replace the start's extra args from then on. */
  restart(extraArgs?: string[]): Promise<void>;
  /** Stops the process and removes the data dir. */
  cleanup(): Promise<void>;
  stderr(): string;
}

export interface StartOptions {
  datastoreEndpoint?: string; dataDir?: string; port?: number; extraArgs?: string[];
  /** Run the node agent (its own containerd, bridge, subnet and cgroup root, all unique to this server). */
  agent?: boolean;
  /**
   * Run in this test host: listen on and be a node at its address. Its network is its own, so the
   * cluster CIDR is a whole 10.42.0.0/16 (nodes take /24s of it); cgroups are not, so the root stays unique.
   */
  host?: TestHost;
}

/** Node flags that keep a test node apart from any other on the machine (name, bridge, cgroups, ports). */
function nodeArgs(id: string, host?: TestHost): { nodeName: string; args: string[] } {
  const nodeName = host ? `tug-${host.name}-${id}` : `tug-e2e-${id}`;
  return { nodeName, args: ['--node-name', nodeName, '--node-ip', host?.ip ?? '127.0.0.1', '--kubelet-port', '0',
    '--cni-bridge', `tuge${id}`, '--cgroup-root', `/tugboat-e2e-${id}`,
    // In a test host the node has ports 80/443 to itself; here they are the machine's.
    ...(host ? [] : ['--ingress-http-port', '0', '--ingress-https-port', '0'])] };
}

/** The pod network of a test server: its own /16 in a test host, else a random /24 (the root namespace is shared). */
const clusterCIDR = (host?: TestHost) => host ? '10.42.0.0/16' : `10.244.${100 + Math.floor(Math.random() * 150)}.0/24`;

/** argv that runs in the test host (if any) rather than here. */
const onHost = (host: TestHost | undefined, argv: string[]) => host ? inNetns(host.ns, argv) : argv;

/** Runs `tug reset` for a node's data dir where the node ran, so its pods, shims, bridge and cgroups go. */
function resetNode(dataDir: string, host?: TestHost): void {
  const [cmd, ...args] = onHost(host, [tugBin, 'reset', '--data-dir', dataDir]);
  const r = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) process.stderr.write(`tug reset failed (${r.status}): ${r.stderr}\n`);
}

export async function startTugServer(opts: StartOptions = {}): Promise<TugServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tug-e2e-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  let log = '';
  let port = opts.port ?? 0;
  let proc!: ChildProcess;
  let extraArgs = opts.extraArgs ?? [];
  const host = opts.host;
  const address = host?.ip ?? '127.0.0.1';
  const node = nodeArgs(randomBytes(2).toString('hex'), host);
  const agentFlags = opts.agent ? [...node.args, '--cluster-cidr', clusterCIDR(host)] : [];

  const launch = async () => {
    rmSync(kubeconfig, { force: true });
    const args = ['server', '--data-dir', dataDir, '--https-listen-port', String(port), '--bind-address', address,
      ...(host ? ['--tls-san', address] : []),
      ...(opts.agent ? agentFlags : ['--disable-agent']), ...(opts.datastoreEndpoint ? ['--datastore-endpoint', opts.datastoreEndpoint] : []), ...extraArgs];
    const [cmd, ...argv] = onHost(host, [tugBin, ...args]);
    proc = spawn(cmd!, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d) => { log += d; });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`tug server exited with ${proc.exitCode}:\n${log}`);
      if (existsSync(kubeconfig)) {
        const m = /server: https:\/\/([0-9.]+):(\d+)/.exec(readFileSync(kubeconfig, 'utf8'));
        if (m && m[1] !== address) throw new Error(`the kubeconfig names ${m[1]}, not ${address}`);
        if (m) { port = Number(m[2]); return; }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`tug server did not become ready in 30 s:\n${log}`);
  };
  const waitExit = (signal: NodeJS.Signals) => new Promise<void>((resolveExit) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolveExit();
    proc.once('exit', () => resolveExit());
    proc.kill(signal);
  });
  try {
    await launch();
  } catch (e) {
    // A server that never came up leaves nothing behind: its process is gone, and a dir we made goes too.
    await waitExit('SIGKILL');
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  const children = new Set<ChildProcess>();
  const env = (extra?: Record<string, string>) => ({ ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir, ...extra });
  const track = (c: ChildProcess) => { children.add(c); c.once('exit', () => children.delete(c)); return c; };
  let creds: { ca: Buffer; cert: Buffer; key: Buffer } | undefined;
  const credentials = () => {
    if (creds) return creds;
    const doc = parseYAML(readFileSync(kubeconfig, 'utf8'));
    const b = (s: string) => Buffer.from(s, 'base64');
    creds = { ca: b(doc.clusters[0].cluster['certificate-authority-data']), cert: b(doc.users[0].user['client-certificate-data']),
      key: b(doc.users[0].user['client-key-data']) };
    return creds;
  };

  const server: TugServer = {
    dataDir, kubeconfig, address, host, nodeName: opts.agent ? node.nodeName : undefined, get port() { return port; }, get proc() { return proc; },
    kubectl(args, o = {}) {
      const r = spawnSync(KUBECTL, args, { input: o.input, encoding: 'utf8', timeout: o.timeoutMs ?? 30_000, env: env(o.env) });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    kubectlAsync(args, o = {}) {
      return new Promise((resolveRun) => {
        const c = track(spawn(KUBECTL, args, { env: env(o.env), stdio: ['pipe', 'pipe', 'pipe'] }));
        let stdout = '';
        let stderr = '';
        c.stdout!.on('data', (d) => { stdout += d; });
        c.stderr!.on('data', (d) => { stderr += d; });
        c.stdin!.end(o.input ?? '');
        const timer = setTimeout(() => c.kill('SIGKILL'), o.timeoutMs ?? 30_000);
        c.once('close', (code) => { clearTimeout(timer); resolveRun({ code: code ?? -1, stdout, stderr }); });
      });
    },
    kubectlSpawn(args, o = {}) {
      return track(spawn(KUBECTL, args, { env: env(o.env), stdio: ['ignore', 'pipe', 'pipe'] }));
    },
    request(method, path, o = {}) {
      const c = credentials();
      return new Promise((resolveReq, reject) => {
        const req = https.request({
          host: address, port, path, method, ca: c.ca, agent: false,
          ...(o.anonymous ? {} : { cert: c.cert, key: c.key }),
          headers: { Accept: 'application/json', ...(o.body !== undefined ? { 'Content-Length': Buffer.byteLength(o.body) } : {}), ...o.headers },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(o.body);
      });
    },
    writeFile(name, content) {
      const p = join(dataDir, name);
      writeFileSync(p, content);
      return p;
    },
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    async restart(args?: string[]) {
      if (args) extraArgs = args;
      await launch();
    },
    async cleanup() {
      for (const c of children) c.kill('SIGKILL');
      await waitExit('SIGKILL');
      // The node's pods outlive the server by design (adoptable): `tug reset` removes them, the bridge and the cgroups.
      if (opts.agent) resetNode(dataDir, host);
      rmSync(dataDir, { recursive: true, force: true });
    },
    stderr: () => log,
  };
  return server;
}

export interface TugAgent {
  dataDir: string;
  nodeName: string;
  host: TestHost;
  proc: ChildProcess;
  /** SIGTERM and wait; the pods and the data dir stay. */
  stop(): Promise<void>;
  /** SIGKILL and wait (a node that dies). */
  kill(): Promise<void>;
  /** Starts the agent again on the same data dir and waits until its Node is Ready. */
  restart(): Promise<void>;
  /** Kills the agent, runs `tug reset` in its host and removes the data dir. */
  cleanup(): Promise<void>;
  stderr(): string;
}

export interface AgentStartOptions {
  server: TugServer;
  host: TestHost;
  /** The join token; default: the server's own token file. */
  token?: string;
  extraArgs?: string[];
  /** How long to wait for the Node to be Ready (default 90 s: containerd and the images come first). */
  readyTimeoutMs?: number;
}

/** Joins a test host to a server with the real `tug agent` and waits until its Node is Ready. */
export async function startTugAgent(o: AgentStartOptions): Promise<TugAgent> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tug-e2e-agent-'));
  const node = nodeArgs(randomBytes(2).toString('hex'), o.host);
  const args = ['agent', '--server', `https://${o.server.address}:${o.server.port}`,
    ...(o.token ? ['--token', o.token] : ['--token-file', join(o.server.dataDir, 'server', 'token')]),
    '--data-dir', dataDir, ...node.args, ...(o.extraArgs ?? [])];
  let proc!: ChildProcess;
  let log = '';
  const waitExit = (signal: NodeJS.Signals) => new Promise<void>((resolveExit) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolveExit();
    proc.once('exit', () => resolveExit());
    proc.kill(signal);
  });
  const launch = async () => {
    const [cmd, ...argv] = inNetns(o.host.ns, [tugBin, ...args]);
    proc = spawn(cmd!, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d) => { log += d; });
    const deadline = Date.now() + (o.readyTimeoutMs ?? 90_000);
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`tug agent exited with ${proc.exitCode}:\n${log}`);
      const r = await o.server.request('GET', `/api/v1/nodes/${node.nodeName}`).catch(() => undefined);
      const ready = r?.status === 200 && r.json().status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
      if (ready?.status === 'True') return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`node ${node.nodeName} of tug agent was not Ready in time:\n${log}`);
  };
  const agent: TugAgent = {
    dataDir, nodeName: node.nodeName, host: o.host, get proc() { return proc; },
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    async restart() {
      await waitExit('SIGKILL');
      await launch();
    },
    async cleanup() {
      await waitExit('SIGKILL');
      resetNode(dataDir, o.host);
      rmSync(dataDir, { recursive: true, force: true });
    },
    stderr: () => log,
  };
  try {
    await launch();
  } catch (e) {
    await agent.cleanup();
    throw e;
  }
  return agent;
}

/** Asserts that kubectl succeeded and returns its stdout; a failure message carries both streams. */
export function ok(r: KubectlResult): string {
  if (r.code !== 0) throw new Error(`kubectl exited with ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Asserts that kubectl failed and returns its stderr. */
export function fails(r: KubectlResult): string {
  if (r.code === 0) throw new Error(`kubectl succeeded but should have failed\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stderr;
}

/**
 * Splits kubectl's table output into rows of cells, cutting each line at the columns where the
 * header's names start (so empty cells stay in place). A blank line starts a new table, whose
 * header row is returned as a row too (as `get a,b` and `get all` print them).
 */
export function table(out: string): string[][] {
  const rows: string[][] = [];
  let starts: number[] | undefined;
  for (const line of out.replace(/\n+$/, '').split('\n')) {
    if (line.trim() === '') { starts = undefined; continue; }
    if (!starts) {
      starts = [];
      for (const m of line.matchAll(/(?:^|\s{2,})(\S)/g)) starts.push(m.index! + m[0].length - 1);
    }
    rows.push(starts.map((st, i) => line.slice(st, i + 1 < starts!.length ? starts![i + 1] : undefined).trim()));
  }
  return rows;
}

/** Splits one line of kubectl's output into cells separated by two or more spaces (watch lines). */
export const cells = (line: string) => line.trim().split(/\s{2,}/);
