/**
 * @module Starts a real etcd (Debian's etcd-server, /usr/bin/etcd) on free loopback ports with
 * a temporary data dir, for tests and benchmarks. Missing etcd is a failure, never a skip.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';

export interface EtcdServer {
  /** e.g. "127.0.0.1:23790", for openStore's `etcd://` endpoint. */
  endpoint: string;
  /** Stops this etcd (its PID only) and removes its data dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts etcd and resolves once /health says it is healthy (or rejects, leaving nothing behind). */
export async function startEtcd(): Promise<EtcdServer> {
  if (!existsSync(ETCD_BIN)) {
    throw new Error(`etcd not found at ${ETCD_BIN}: install the Debian package etcd-server (apt-get install -y etcd-server)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tug-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(ETCD_BIN, [
    '--name', 'tug-test', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `tug-test=${peer}`, '--initial-cluster-state', 'new',
    '--logger', 'zap', '--log-level', 'error',
  ], {
    // etcd 3.4 refuses to start on arm64 unless told the architecture is accepted.
    env: { ...process.env, ...(process.arch === 'x64' ? {} : { ETCD_UNSUPPORTED_ARCH: process.arch }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test process that dies without running its hooks must not leave etcd behind.
  const killOnExit = () => { if (child.exitCode === null) child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitHealthy(client, () => child.exitCode !== null || child.signalCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`etcd did not become healthy: ${(err as Error).message}\n${stderr}`);
  }
  return { endpoint: `127.0.0.1:${clientPort}`, stop };
}

async function waitHealthy(url: string, dead: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (dead()) throw new Error('etcd exited');
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no healthy answer from ${url}/health in 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port the kernel just handed out on 127.0.0.1 (free unless someone races us for it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

