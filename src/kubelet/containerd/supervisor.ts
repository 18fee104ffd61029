/**
 * @module Runs tugboat's own containerd: writes its config, starts it, waits until CRI answers,
 * restarts it with backoff if it dies, and stops it on request. Stopping containerd leaves pods
 * running (their shims outlive it); callers remove pods through CRI first when they want them gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ensureSandboxImage } from '../images/local-images.js';
import { SANDBOX_IMAGE } from '../images/names.js';
import { containerdLayout, renderContainerdConfig, type ContainerdConfigOptions } from './config.js';
import { criReadiness } from './cri-ready.js';

type LogFn = (obj: object, msg?: string) => void;
/** What the supervisor logs through (a pino logger fits). */
export interface SupervisorLogger { info: LogFn; warn: LogFn; error: LogFn }

export interface StartContainerdOptions {
  /** The instance's directory (DATA_DIR/containerd); created if missing. */
  dir: string;
  /**
   * CRI's sandbox image. When omitted, tugboat's own pause image is used and imported on start
   * (built into `imageDir` the first time).
   */
  sandboxImage?: string;
  /** containerd's CNI conf_dir (default DIR/cni/net.d); the conflist may be written after start. */
  cniConfDir?: string;
  /** Where the built pause image tar is kept (default DIR/images). */
  imageDir?: string;
  log?: SupervisorLogger;
  /** The containerd binary (default /usr/bin/containerd, or $CONTAINERD_BIN). */
  binary?: string;
  /** How long start may take before it fails (default 20 s). */
  startTimeoutMs?: number;
  /** containerd's own log level in DIR/containerd.log (default info). */
  logLevel?: ContainerdConfigOptions['logLevel'];
}

export interface ManagedContainerd {
  /** `unix:///abs/DIR/containerd.sock`, for the CRI client and ctr. */
  endpoint: string;
  dir: string;
  /** The current containerd's PID (changes when the supervisor restarts it). */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after a few seconds; no restart afterwards. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_BINARY = process.env.CONTAINERD_BIN ?? '/usr/bin/containerd';
const STOP_GRACE_MS = 5000;
const MAX_LOG_BYTES = 20 << 20;
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;
// A containerd that ran this long before dying counts as healthy: the next restart is immediate.
const HEALTHY_RUN_MS = 60_000;
const noop: LogFn = () => {};
const quiet: SupervisorLogger = { info: noop, warn: noop, error: noop };

/**
 * Starts containerd for `dir` and resolves once its CRI service answers (and, when no sandbox
 * image was given, once tugboat's pause image is imported). Rejects with the tail of
 * DIR/containerd.log if containerd exits or is not ready within the timeout, leaving no process.
 */
export async function startContainerd(opts: StartContainerdOptions): Promise<ManagedContainerd> {
  const dir = resolve(opts.dir);
  const log = opts.log ?? quiet;
  const binary = opts.binary ?? DEFAULT_BINARY;
  const layout = containerdLayout(dir);
  const pidFile = join(dir, 'containerd.pid');
  const endpoint = `unix://${layout.socket}`;
  if (!isAbsolute(binary)) throw new Error(`containerd binary must be an absolute path, got "${binary}"`);
  try {
    await access(binary);
  } catch {
    throw new Error(`containerd not found at ${binary}: install the Debian package containerd (and runc)`);
  }

  const cniConfDir = resolve(opts.cniConfDir ?? layout.cniConfDir);
  await mkdir(cniConfDir, { recursive: true });
  await writeFile(layout.configFile, renderContainerdConfig({ dir, cniConfDir, sandboxImage: opts.sandboxImage ?? SANDBOX_IMAGE, logLevel: opts.logLevel }));
  await replaceLeftover(pidFile, layout.configFile, log);
  if ((await criReadiness(layout.socket, 500)) !== 'down') {
    throw new Error(`another containerd already serves ${layout.socket}: stop it or use another data dir`);
  }

  let child: ChildProcess | undefined;
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let backoff = RESTART_MIN_MS;

  const launch = (): ChildProcess => {
    const fd = openSync(layout.logFile, 'a');
    try {
      const c = spawn(binary, ['--config', layout.configFile], {
        stdio: ['ignore', fd, fd],
        // Its own process group: a Ctrl-C or a signal to tugboat's group must not stop containerd
        // behind tugboat's back; tugboat stops it in order (after the kubelet) or kills it on exit.
        detached: true,
        // runc, the shim and the CNI plugins' iptables are looked up on PATH.
        env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
      });
      c.on('error', (e) => log.error({ err: e.message }, 'containerd could not be started'));
      return c;
    } finally {
      closeSync(fd);
    }
  };

  const supervise = (c: ChildProcess) => {
    const startedAt = Date.now();
    c.once('exit', (code, signal) => {
      if (stopped || c !== child) return;
      if (Date.now() - startedAt > HEALTHY_RUN_MS) backoff = RESTART_MIN_MS;
      log.warn({ code, signal, restartInMs: backoff, log: layout.logFile }, 'containerd exited; restarting it');
      restartTimer = setTimeout(() => {
        restartTimer = undefined;
        if (stopped) return;
        child = launch();
        void writeFile(pidFile, pidLine(child));
        supervise(child);
      }, backoff);
      backoff = Math.min(backoff * 2, RESTART_MAX_MS);
    });
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (restartTimer) clearTimeout(restartTimer);
    process.removeListener('exit', killOnExit);
    const c = child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(t);
    }
    await rm(pidFile, { force: true });
    log.info({ dir }, 'containerd stopped');
  };
  // If tugboat exits without stop(), its containerd must not linger holding DIR.
  const killOnExit = () => { if (child && child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', killOnExit);

  // One old log is kept, so that a long-lived node's log does not grow without end.
  if (await fileSize(layout.logFile) > MAX_LOG_BYTES) await rename(layout.logFile, `${layout.logFile}.1`);
  const logStart = await fileSize(layout.logFile);
  const t0 = Date.now();
  child = launch();
  await writeFile(pidFile, pidLine(child));
  try {
    await waitReady(layout.socket, child, opts.startTimeoutMs ?? 20_000);
    if (opts.sandboxImage === undefined) await ensureSandboxImage(endpoint, opts.imageDir ?? join(dir, 'images'));
  } catch (e) {
    await stop();
    throw new Error(`containerd (${dir}) did not start: ${(e as Error).message}\n--- ${layout.logFile} ---\n${logTail(layout.logFile, logStart)}`);
  }
  supervise(child);
  log.info({ dir, pid: child.pid, ms: Date.now() - t0 }, 'containerd ready');

  return {
    endpoint,
    dir,
    get pid() { return child?.pid ?? -1; },
    stop,
  };
}

async function waitReady(socket: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`containerd exited (${child.exitCode ?? child.signalCode})`);
    }
    const r = await criReadiness(socket, 1000);
    if (r === 'ready') return;
    if (r === 'no-cri') throw new Error('its CRI plugin did not load');
    if (Date.now() > deadline) throw new Error(`CRI did not answer on ${socket} within ${timeoutMs / 1000} s`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

/**
 * A containerd that an earlier tugboat started for this same dir and left running (tugboat was
 * killed) would hold the metadata lock: stop it, after checking that its owner is gone and, by its
 * command line, that the PID is still that containerd. One whose owner lives is left alone.
 */
async function replaceLeftover(pidFile: string, configFile: string, log: SupervisorLogger): Promise<void> {
  let pid: number;
  let owner: number;
  try {
    [pid, owner] = (await readFile(pidFile, 'utf8')).trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || (owner > 0 && await processAlive(owner))) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.split('\0').includes(configFile)) return;
  log.warn({ pid }, 'stopping the containerd a previous tugboat left running for this dir');
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (await processAlive(pid)) {
    if (Date.now() > deadline) { process.kill(pid, 'SIGKILL'); }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** DIR/containerd.pid: containerd's PID and its owner's (this process). */
function pidLine(c: ChildProcess): string {
  return `${c.pid ?? 0} ${process.pid}\n`;
}

async function processAlive(pid: number): Promise<boolean> {
  // A zombie still answers kill(0); its state in /proc says it is gone.
  const st = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return st !== '' && !/^\d+ \(.*\) Z/.test(st);
}

async function fileSize(path: string): Promise<number> {
  return stat(path).then((s) => s.size, () => 0);
}

/** The last lines containerd wrote since `from`, for error messages. */
function logTail(path: string, from: number): string {
  try {
    const text = readFileSync(path).subarray(from).toString();
    return text.split('\n').filter(Boolean).slice(-15).join('\n') || '(empty)';
  } catch {
    return '(no log)';
  }
}
