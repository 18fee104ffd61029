/**
 * @module Docker as the benchmarks' peer: a private dockerd (Debian's docker.io; it starts its own
 * containerd) in a temp dir with its own socket and bridge subnet and no iptables rules, the
 * Debian docker CLI bound to it, and a clean-up that stops the daemon by PID, unmounts its data
 * root, and deletes its bridge.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DOCKERD = '/usr/sbin/dockerd';
/** Debian's docker CLI (a newer client may sit earlier on PATH and speak a newer API than this daemon). */
const DOCKER = '/usr/bin/docker';

export interface Docker {
  /** Runs the docker CLI; throws with its stderr when it fails. */
  run(args: string[], input?: Buffer): string;
  /** Runs the docker CLI without blocking; resolves with its stdout, rejects when it fails. */
  runAsync(args: string[]): Promise<string>;
  /** Swarm mode on this daemon (one manager). */
  swarmInit(): void;
  stop(): Promise<void>;
}

export async function startDocker(): Promise<Docker> {
  if (!existsSync(DOCKERD) || !existsSync(DOCKER)) throw new Error('the Docker peer needs Debian\'s docker.io: apt-get install -y docker.io');
  const dir = mkdtempSync(join(tmpdir(), 'tug-bench-docker-'));
  const sock = join(dir, 'docker.sock');
  const bridge = 'docker0';
  const proc: ChildProcess = spawn(DOCKERD, ['--data-root', join(dir, 'root'), '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'), '-H', `unix://${sock}`, '--bip', '10.251.0.1/24', '--iptables=false', '--ip6tables=false'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => { log += d; });
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
  const run = (args: string[], input?: Buffer) => {
    const r = spawnSync(DOCKER, args, { env, input, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const runAsync = (args: string[]) => new Promise<string>((resolve, reject) => {
    const c = spawn(DOCKER, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')}: ${err}`))));
  });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      try { run(['swarm', 'leave', '--force']); } catch { /* not in swarm mode */ }
      const ids = spawnSync(DOCKER, ['ps', '-aq'], { env, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      if (ids.length) spawnSync(DOCKER, ['rm', '-f', ...ids], { env });
      await new Promise<void>((r) => { proc.once('exit', () => r()); proc.kill('SIGTERM'); setTimeout(() => proc.kill('SIGKILL'), 15_000).unref(); });
    }
    for (const m of readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((p) => p?.startsWith(dir)).sort().reverse()) {
      spawnSync('umount', ['-l', m!]);
    }
    for (const link of [bridge, 'docker_gwbridge']) spawnSync('ip', ['link', 'del', link]);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (spawnSync(DOCKER, ['version'], { env }).status !== 0) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`dockerd did not start:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { run, runAsync, swarmInit: () => run(['swarm', 'init', '--advertise-addr', '127.0.0.1']), stop };
}
