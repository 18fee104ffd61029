/**
 * @module Docker as the benchmarks' peer: a private dockerd (Debian's docker.io; it starts its own
 * containerd) in a temp dir with its own socket and bridge subnet and no iptables rules, the
 * Debian docker CLI bound to it, and a clean-up that stops the daemon by PID, unmounts its data
 * root, and deletes its bridge. Every CLI call has a deadline, so a stuck daemon fails the run
 * instead of hanging it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DOCKERD = '/usr/sbin/dockerd';
/** Debian's docker CLI (a newer client may sit earlier on PATH and speak a newer API than this daemon). */
const DOCKER = '/usr/bin/docker';
/** Deadline of one CLI call (a `docker rm -f` of 100 containers takes a few seconds here). */
const CALL_TIMEOUT_MS = 120_000;
/** Containers removed per `docker rm -f`: smaller calls keep each one well inside its deadline. */
const REMOVE_CHUNK = 20;

export interface Docker {
  /** Runs the docker CLI; throws with its stderr when it fails or outlives its deadline (default 120 s). */
  run(args: string[], input?: Buffer, timeoutMs?: number): string;
  /** Runs the docker CLI without blocking; resolves with its stdout, rejects when it fails or outlives its deadline. */
  runAsync(args: string[]): Promise<string>;
  /** Force-removes every container. */
  removeAll(): Promise<void>;
  /** Swarm mode on this daemon (one manager). */
  swarmInit(): void;
  stop(): Promise<void>;
}

export async function startDocker(): Promise<Docker> {
  if (!existsSync(DOCKERD) || !existsSync(DOCKER)) throw new Error('the Docker peer needs Debian\'s docker.io: apt-get install -y docker.io');
  const dir = mkdtempSync(join(tmpdir(), 'tug-bench-docker-'));
  const sock = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const bridge = 'docker0';
  // dockerd logs to a file, not a pipe: a pipe that nobody drains while a synchronous CLI call
  // blocks the event loop fills up and stalls dockerd mid-request (seen with `rm -f` of 100).
  const logFd = openSync(logFile, 'a');
  const proc: ChildProcess = spawn(DOCKERD, ['--data-root', join(dir, 'root'), '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'), '-H', `unix://${sock}`, '--bip', '10.251.0.1/24', '--iptables=false', '--ip6tables=false'],
  { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const logTail = () => { try { return readFileSync(logFile, 'utf8').slice(-2000); } catch { return '(no log)'; } };
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
  const run = (args: string[], input?: Buffer, timeoutMs = CALL_TIMEOUT_MS) => {
    const r = spawnSync(DOCKER, args, { env, input, encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs, killSignal: 'SIGKILL' });
    if (r.error) throw new Error(`docker ${args.join(' ')}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.signal ? `killed after ${timeoutMs / 1000} s` : r.stderr}`);
    return r.stdout;
  };
  const runAsync = (args: string[]) => new Promise<string>((resolve, reject) => {
    const c = spawn(DOCKER, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => { err += `killed after ${CALL_TIMEOUT_MS / 1000} s`; c.kill('SIGKILL'); }, CALL_TIMEOUT_MS);
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('error', (e) => { clearTimeout(timer); reject(e); });
    c.on('exit', (code) => { clearTimeout(timer); code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')}: ${err}`)); });
  });
  const removeAll = async () => {
    const ids = (await runAsync(['ps', '-aq'])).split('\n').filter(Boolean);
    for (let i = 0; i < ids.length; i += REMOVE_CHUNK) await runAsync(['rm', '-f', ...ids.slice(i, i + REMOVE_CHUNK)]);
  };
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      try { run(['swarm', 'leave', '--force']); } catch { /* not in swarm mode */ }
      await removeAll().catch((e) => process.stderr.write(`docker clean-up: ${(e as Error).message}\n`));
      await new Promise<void>((r) => { proc.once('exit', () => r()); proc.kill('SIGTERM'); setTimeout(() => proc.kill('SIGKILL'), 15_000).unref(); });
    }
    for (const m of readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((p) => p?.startsWith(dir)).sort().reverse()) {
      spawnSync('umount', ['-l', m!]);
    }
    for (const link of [bridge, 'docker_gwbridge']) spawnSync('ip', ['link', 'del', link]);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (spawnSync(DOCKER, ['version'], { env, timeout: 10_000 }).status !== 0) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`dockerd did not start:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { run, runAsync, removeAll, swarmInit: () => run(['swarm', 'init', '--advertise-addr', '127.0.0.1']), stop };
}
