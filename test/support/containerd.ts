/**
 * @module A private containerd for tests: its own temp dir, bridge and /24, tugboat's pause and
 * busybox images imported (built once per busybox binary and cached in the temp dir), and a stop()
 * that removes every sandbox, container, mount, bridge, process and file it made — also when the
 * test process exits without calling it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { containerdLayout } from '../../src/kubelet/containerd/config.js';
import { startContainerd } from '../../src/kubelet/containerd/supervisor.js';
import { writeCNIConfig } from '../../src/kubelet/cni/config.js';
import { CTR_BINARY, importImage } from '../../src/kubelet/images/ctr.js';
import { localImageTar } from '../../src/kubelet/images/local-images.js';
import { TEST_IMAGE } from '../../src/kubelet/images/names.js';

/** Built image tars shared by every test process (keyed by the busybox binary's hash). */
export const TEST_IMAGE_CACHE = join(tmpdir(), 'tugboat-test-images');
const CNI_BIN_DIR = '/usr/lib/cni';
// One file per 10.244.<n>.0/24 in use, holding the owner's PID, so parallel test files never share a subnet.
const SUBNET_LOCKS = join(tmpdir(), 'tugboat-test-subnets');

export interface TestContainerd {
  /** unix:///…/containerd.sock */
  endpoint: string;
  /** The temp dir holding everything (containerd's dir is DIR/containerd). */
  dir: string;
  /** containerd's own dir (root, state, socket, log). */
  containerdDir: string;
  bridge: string;
  /** e.g. 10.244.173.0/24 */
  subnet: string;
  /** host-local's dataDir: reservations are files in DIR/cni/ipam/tugboat/. */
  cniDataDir: string;
  /** A place for pod logs (CRI's log_directory roots). */
  logDir: string;
  /** containerd's PID (for tests of supervision). */
  readonly pid: number;
  /** Removes all sandboxes and containers, stops containerd, deletes the bridge and the dir. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startTestContainerd(): Promise<TestContainerd> {
  const dir = mkdtempSync(join(tmpdir(), 'tug-ctd-'));
  const containerdDir = join(dir, 'containerd');
  const cniDataDir = join(dir, 'cni', 'ipam');
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const bridge = freeBridgeName();
  const { subnet, release } = claimSubnet();
  const layout = containerdLayout(containerdDir);
  const socket = layout.socket;
  let conflist = '';

  let done = false;
  let containerdStopped = false;
  const cleanupSync = () => {
    if (done) return;
    done = true;
    process.removeListener('exit', cleanupSync);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (!containerdStopped) removeAllContainersSync(socket, conflist);
    // Whatever containerd could not remove (it was down or died): straight through runc and CNI.
    killContainersSync(layout.runcRoot);
    releaseAllIPsSync(conflist, cniDataDir);
    killShimsSync(socket);
    unmountUnderSync(dir);
    spawnSync('ip', ['link', 'del', 'dev', bridge], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
    release();
  };
  // Registered before containerd starts so that it runs while containerd still answers.
  process.on('exit', cleanupSync);
  // A signal skips 'exit' handlers: turn it into an exit so that they run.
  const onSignal = (sig: NodeJS.Signals) => process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    conflist = await writeCNIConfig({ confDir: layout.cniConfDir, bridge, subnet, dataDir: cniDataDir });
    const testTar = await localImageTar(TEST_IMAGE, TEST_IMAGE_CACHE);
    const ctd = await startContainerd({ dir: containerdDir, imageDir: TEST_IMAGE_CACHE });
    await importImage(ctd.endpoint, testTar);
    return {
      endpoint: ctd.endpoint, dir, containerdDir, bridge, subnet, cniDataDir, logDir,
      get pid() { return ctd.pid; },
      async stop() {
        if (done) return;
        removeAllContainersSync(socket, conflist);
        await ctd.stop();
        containerdStopped = true;
        cleanupSync();
      },
    };
  } catch (e) {
    cleanupSync();
    throw e;
  }
}

function freeBridgeName(): string {
  for (;;) {
    const name = `tugt${randomBytes(2).toString('hex')}`;
    if (!existsLink(name)) return name;
  }
}

function existsLink(name: string): boolean {
  try {
    readdirSync(`/sys/class/net/${name}`);
    return true;
  } catch {
    return false;
  }
}

/** A 10.244.<100-250>.0/24 that no route on this host and no other test process uses. */
function claimSubnet(): { subnet: string; release: () => void } {
  mkdirSync(SUBNET_LOCKS, { recursive: true });
  const routes = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout ?? '';
  for (let tries = 0; tries < 200; tries++) {
    const n = randomInt(100, 251);
    const prefix = `10.244.${n}.`;
    if (routes.includes(prefix)) continue;
    const lock = join(SUBNET_LOCKS, String(n));
    if (!takeLock(lock)) continue;
    return { subnet: `${prefix}0/24`, release: () => rmSync(lock, { force: true }) };
  }
  throw new Error('no free 10.244.x.0/24 subnet for a test containerd');
}

/** Creates the lock file with our PID; a lock whose owner is gone is taken over. */
function takeLock(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch {
      const owner = Number(readText(path));
      if (owner > 0 && pidAlive(owner)) return false;
      rmSync(path, { force: true });
    }
  }
  return false;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function ctrSync(socket: string, ...args: string[]): string[] {
  const r = spawnSync(CTR_BINARY, ['--address', socket, '--namespace', 'k8s.io', '--connect-timeout', '2s', '--timeout', '10s', ...args], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
}

/**
 * Releases each sandbox's network as containerd's StopPodSandbox would (CNI DEL: the IP, the veth,
 * the masquerade and hostPort rules), then kills and deletes every task and container in k8s.io.
 * ctr alone would leave the iptables rules of every pod behind.
 */
function removeAllContainersSync(socket: string, conflist: string): void {
  const sandboxes = ctrSync(socket, 'containers', 'ls', '-q', 'labels."io.cri-containerd.kind"==sandbox');
  for (const id of sandboxes) {
    const info = ctrSync(socket, 'containers', 'info', id).join('\n');
    let netns = '';
    try {
      const spec = JSON.parse(info).Spec as { linux?: { namespaces?: { type: string; path?: string }[] } };
      netns = spec.linux?.namespaces?.find((n) => n.type === 'network')?.path ?? '';
    } catch {
      // no spec: release what can be released without the netns
    }
    if (conflist) cniDelSync(conflist, id, netns);
  }
  dropNATRulesSync(sandboxes);
  for (const id of ctrSync(socket, 'tasks', 'ls', '-q')) ctrSync(socket, 'tasks', 'rm', '-f', id);
  const containers = ctrSync(socket, 'containers', 'ls', '-q');
  if (containers.length) ctrSync(socket, 'containers', 'rm', ...containers);
}

/** runc's own view (DIR/containerd/runc/k8s.io): kill and delete every container left, cgroups included. */
function killContainersSync(runcRoot: string): void {
  const root = join(runcRoot, 'k8s.io');
  let ids: string[];
  try {
    ids = readdirSync(root);
  } catch {
    return;
  }
  for (const id of ids) spawnSync('runc', ['--root', root, 'delete', '--force', id], { stdio: 'ignore', timeout: 20_000 });
}

/** CNI DEL for every IP host-local still holds (its file names the container), then their nat rules. */
function releaseAllIPsSync(conflist: string, cniDataDir: string): void {
  const ids = new Set<string>();
  for (const network of safeReaddir(cniDataDir)) {
    for (const f of safeReaddir(join(cniDataDir, network))) {
      if (!/^[0-9.]+$|:/.test(f)) continue;
      const id = readText(join(cniDataDir, network, f)).split(/\r?\n/)[0]!.trim();
      if (id) ids.add(id);
    }
  }
  if (conflist) for (const id of ids) cniDelSync(conflist, id, '');
  dropNATRulesSync([...ids]);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The bridge plugin finds a pod's masquerade rules through the netns; when that is gone already,
 * its DEL leaves them. Remove whatever nat rules and per-pod chains still name these sandboxes.
 */
function dropNATRulesSync(ids: string[]): void {
  if (ids.length === 0) return;
  const lines = (spawnSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).stdout ?? '').split('\n')
    .filter((l) => l.startsWith('-A ') && ids.some((id) => l.includes(`id: \\"${id}\\"`)));
  const owned = new Set(lines.map((l) => l.split(' ')[1]!).filter((c) => /^CNI-(DN-)?[0-9a-f]{24}$/.test(c)));
  const jumps = lines.filter((l) => !owned.has(l.split(' ')[1]!)).map((l) => `-D ${l.slice(3)}`);
  if (jumps.length === 0 && owned.size === 0) return;
  const script = ['*nat', ...jumps, ...[...owned].flatMap((c) => [`-F ${c}`, `-X ${c}`]), 'COMMIT', ''].join('\n');
  spawnSync('iptables-restore', ['--noflush'], { input: script, stdio: ['pipe', 'ignore', 'ignore'] });
}

/** CNI DEL of one container through every plugin of the conflist, last plugin first (as libcni). */
function cniDelSync(conflistPath: string, containerId: string, netns: string): void {
  let list: { cniVersion: string; name: string; plugins: { type: string }[] };
  try {
    list = JSON.parse(readFileSync(conflistPath, 'utf8'));
  } catch {
    return;
  }
  for (const plugin of [...list.plugins].reverse()) {
    spawnSync(join(CNI_BIN_DIR, plugin.type), {
      input: JSON.stringify({ cniVersion: list.cniVersion, name: list.name, ...plugin }),
      env: {
        CNI_COMMAND: 'DEL', CNI_CONTAINERID: containerId, CNI_NETNS: netns && existsSync(netns) ? netns : '',
        CNI_IFNAME: 'eth0', CNI_PATH: CNI_BIN_DIR, PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      },
      stdio: ['pipe', 'ignore', 'ignore'],
      timeout: 20_000,
    });
  }
}

/** containerd-shim processes this instance started (their command line names its socket). */
function killShimsSync(socket: string): void {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const argv = readText(`/proc/${p}/cmdline`).split('\0');
    if (argv[0]?.includes('containerd-shim') && argv.includes(socket)) {
      try { process.kill(Number(p), 'SIGKILL'); } catch { /* already gone */ }
    }
  }
}

/** Unmounts everything mounted under dir (sandbox netns, /dev/shm, rootfs), deepest first. */
function unmountUnderSync(dir: string): void {
  const mounts = readText('/proc/self/mountinfo').split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    if (spawnSync('umount', [m], { stdio: 'ignore' }).status !== 0) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  }
}
