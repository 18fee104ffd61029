/**
 * @module Starts the real `bin/tug server` for e2e tests: a temp data dir, a free port, the
 * kubeconfig it writes, a kubectl runner bound to it, and clean-up of the process and the dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const tugBin = join(repoRoot, 'bin/tug');
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface KubectlResult { code: number; stdout: string; stderr: string }

export interface TugServer {
  dataDir: string;
  kubeconfig: string;
  port: number;
  proc: ChildProcess;
  /** Runs the real kubectl against this server. */
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }): KubectlResult;
  /** Starts kubectl in the background (for -w and -f). */
  kubectlSpawn(args: string[]): ChildProcess;
  /** SIGTERM and wait; the data dir stays (for restarts). */
  stop(): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** Starts a new process on the same data dir and port. */
  restart(): Promise<void>;
  /** Stops the process and removes the data dir. */
  cleanup(): Promise<void>;
  stderr(): string;
}

export interface StartOptions { datastoreEndpoint?: string; dataDir?: string; port?: number; extraArgs?: string[] }

export async function startTugServer(opts: StartOptions = {}): Promise<TugServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tug-e2e-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  let log = '';
  let port = opts.port ?? 0;
  let proc!: ChildProcess;

  const launch = async () => {
    rmSync(kubeconfig, { force: true });
    const args = ['server', '--data-dir', dataDir, '--https-listen-port', String(port), '--bind-address', '127.0.0.1', '--disable-agent',
      ...(opts.datastoreEndpoint ? ['--datastore-endpoint', opts.datastoreEndpoint] : []), ...(opts.extraArgs ?? [])];
    proc = spawn(tugBin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d) => { log += d; });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`tug server exited with ${proc.exitCode}:\n${log}`);
      if (existsSync(kubeconfig)) {
        const m = /server: https:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(kubeconfig, 'utf8'));
        if (m) { port = Number(m[1]); return; }
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
  await launch();

  const server: TugServer = {
    dataDir, kubeconfig, get port() { return port; }, get proc() { return proc; },
    kubectl(args, o = {}) {
      const r = spawnSync(KUBECTL, args, {
        input: o.input, encoding: 'utf8', timeout: o.timeoutMs ?? 30_000,
        env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir, ...o.env },
      });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    kubectlSpawn(args) {
      return spawn(KUBECTL, args, { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    restart: launch,
    async cleanup() {
      await waitExit('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
    stderr: () => log,
  };
  return server;
}
