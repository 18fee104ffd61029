/**
 * @module Several "machines" on one for multi-node tests: network namespaces joined by veth pairs
 * to a bridge in the root namespace, on a private /24 that no route here uses. Each host has its
 * own address, lo, a default route via the bridge, IP forwarding and bridge netfilter on, as a
 * node needs. Everything is named `tth<id>…` so that a leftover check (and scripts/test-hosts.sh
 * down) finds it.
 *
 * Processes run in a host through `nsenter --net`, not `ip netns exec`: the latter also remounts
 * /sys for the namespace, which hides the cgroup (v1) mounts that containerd and runc need.
 */
import { spawn as spawnChild, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

export interface TestHost {
  /** "host1", "host2", … */
  name: string;
  /** The network namespace (`ip netns` name). */
  ns: string;
  /** The host's address on the test bridge. */
  ip: string;
}

export interface ExecResult { code: number; stdout: string; stderr: string }

export interface TestHosts {
  id: string;
  /** The root-namespace bridge joining the hosts, and its address (the hosts' default gateway). */
  bridge: string;
  bridgeIP: string;
  /** The hosts' /24. */
  subnet: string;
  hosts: TestHost[];
  /** Runs argv inside the host's network namespace and waits for it. */
  exec(host: TestHost, argv: string[], opts?: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): ExecResult;
  /** Starts argv inside the host's network namespace; stop() kills it if it still runs. */
  spawn(host: TestHost, argv: string[], opts?: SpawnOptions): ChildProcess;
  /** Kills what spawn() started and is still running, deletes the namespaces, veths and the bridge. Idempotent. */
  stop(): Promise<void>;
}

/** argv that runs a command inside a namespace (see the module comment for why not `ip netns exec`). */
export const inNetns = (ns: string, argv: string[]): string[] => ['nsenter', `--net=/var/run/netns/${ns}`, '--', ...argv];

/** Starts n test hosts. A failed start removes whatever it had made before it rejects. */
export async function startTestHosts(n: number, opts: { id?: string } = {}): Promise<TestHosts> {
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new Error(`startTestHosts: want 1-200 hosts, got ${n}`);
  const id = opts.id ?? randomBytes(2).toString('hex');
  if (!/^[0-9a-f]{4}$/.test(id)) throw new Error(`startTestHosts: id must be 4 hex digits, got "${id}"`);
  const bridge = `tth${id}`;
  const net = freeNet();
  const bridgeIP = `${net}.1`;
  const hosts: TestHost[] = Array.from({ length: n }, (_, i) => ({ name: `host${i + 1}`, ns: `tth${id}-${i + 1}`, ip: `${net}.${i + 11}` }));
  const children = new Set<ChildProcess>();
  // Only what this start made is removed (a name taken by someone else fails the start, and stays theirs).
  const madeLinks: string[] = [];
  const madeNamespaces: string[] = [];

  const stop = async (): Promise<void> => {
    await Promise.all([...children].map(killAndWait));
    // Deleting a namespace deletes its veth end, and with it the peer on the bridge.
    for (const ns of madeNamespaces.splice(0)) spawnSync('ip', ['netns', 'del', ns]);
    for (const link of madeLinks.splice(0).reverse()) spawnSync('ip', ['link', 'del', 'dev', link], { stdio: 'ignore' });
  };

  try {
    run(['ip', 'link', 'add', 'name', bridge, 'type', 'bridge']);
    madeLinks.push(bridge);
    run(['ip', 'addr', 'add', `${bridgeIP}/24`, 'dev', bridge]);
    run(['ip', 'link', 'set', 'dev', bridge, 'up']);
    for (const h of hosts) {
      const outer = vethName(id, h);
      run(['ip', 'netns', 'add', h.ns]);
      madeNamespaces.push(h.ns);
      run(['ip', 'link', 'add', 'name', outer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
      madeLinks.push(outer);
      run(['ip', 'link', 'set', 'dev', outer, 'master', bridge, 'up']);
      const inside = (argv: string[]) => run(['ip', '-n', h.ns, ...argv]);
      inside(['addr', 'add', `${h.ip}/24`, 'dev', 'eth0']);
      inside(['link', 'set', 'dev', 'eth0', 'up']);
      inside(['link', 'set', 'dev', 'lo', 'up']);
      inside(['route', 'add', 'default', 'via', bridgeIP]);
      run(inNetns(h.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1']));
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    id, bridge, bridgeIP, subnet: `${net}.0/24`, hosts, stop,
    exec(host, argv, o = {}) {
      const r = spawnSync(inNetns(host.ns, argv)[0]!, inNetns(host.ns, argv).slice(1), {
        input: o.input, encoding: 'utf8', timeout: o.timeoutMs ?? 30_000, env: o.env,
      });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
    },
    spawn(host, argv, o = {}) {
      const [cmd, ...args] = inNetns(host.ns, argv);
      const c = spawnChild(cmd!, args, o);
      children.add(c);
      c.once('exit', () => children.delete(c));
      return c;
    },
  };
}

/** What test hosts left on this machine: `tth*` namespaces and links (bridges, veths). Empty when clean. */
export function leftoverTestHosts(): { namespaces: string[]; links: string[] } {
  const namespaces = (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('tth'));
  const links = (spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '').filter((n) => n.startsWith('tth'));
  return { namespaces, links };
}

/** The root-namespace end of a host's veth (at most 15 characters). */
const vethName = (id: string, h: TestHost) => `tth${id}v${h.name.slice(4)}`;

/** The first three octets of a 10.250.X.0/24 that no IPv4 route here mentions. */
function freeNet(): string {
  const routes = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout ?? '';
  for (let tries = 0; tries < 200; tries++) {
    const net = `10.250.${randomInt(1, 255)}`;
    if (!routes.includes(`${net}.`)) return net;
  }
  throw new Error('startTestHosts: no free 10.250.X.0/24');
}

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${(r.stderr || String(r.error ?? `exit ${r.status}`)).trim()}`);
}

function killAndWait(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}
