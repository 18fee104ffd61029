/**
 * @module A throwaway "node" for the proxy's tests and benchmark, built from network namespaces:
 * a node netns with a bridge (the pods' gateway 10.42.0.1/24, hairpin on, as the CNI bridge
 * plugin sets it) and an uplink to an "outside" netns; pod netns on the bridge; tiny TCP servers
 * that answer with their name and the client's address; a client that makes N connections.
 * Nothing touches the host's own network namespace. Everything goes on cleanup(), also at exit.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const NodeIP = '192.168.77.1';
export const OutsideIP = '192.168.77.2';
export const Gateway = '10.42.0.1';

export interface TestNode {
  /** The node's netns: the proxy runs its nft here. */
  node: string;
  /** A host outside the cluster, on the node's uplink. */
  outside: string;
  /** Pod name → its netns and address. */
  pods: Map<string, { netns: string; ip: string }>;
  /** Starts a server in a pod answering "<pod> <client address>" on `port`. */
  serve(pod: string, port?: number): Promise<void>;
  cleanup(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export async function makeTestNode(podNames: string[]): Promise<TestNode> {
  const id = randomBytes(3).toString('hex');
  const node = `tugp-${id}-node`;
  const outside = `tugp-${id}-out`;
  const namespaces = [node, outside];
  const servers: ChildProcess[] = [];
  const pods = new Map<string, { netns: string; ip: string }>();
  const cleanup = () => {
    for (const s of servers) s.kill('SIGKILL');
    for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
    process.off('exit', cleanup);
  };
  process.on('exit', cleanup);
  try {
    ip('netns', 'add', node);
    ip('netns', 'add', outside);
    ip('-n', node, 'link', 'set', 'lo', 'up');
    ip('-n', node, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', node, 'addr', 'add', `${Gateway}/24`, 'dev', 'br0');
    ip('-n', node, 'link', 'set', 'br0', 'up');
    ip('-n', node, 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outside);
    ip('-n', node, 'addr', 'add', `${NodeIP}/24`, 'dev', 'up0');
    ip('-n', node, 'link', 'set', 'up0', 'up');
    // As a real node: anything unknown (a Service IP without endpoints too) leaves by the uplink.
    ip('-n', node, 'route', 'add', 'default', 'via', OutsideIP);
    ip('-n', outside, 'addr', 'add', `${OutsideIP}/24`, 'dev', 'eth0');
    ip('-n', outside, 'link', 'set', 'eth0', 'up');
    ip('-n', outside, 'link', 'set', 'lo', 'up');
    podNames.forEach((name, i) => {
      const netns = `tugp-${id}-${name}`;
      const addr = `10.42.0.${10 + i}`;
      namespaces.push(netns);
      ip('netns', 'add', netns);
      ip('-n', node, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
      ip('-n', node, 'link', 'set', `v${i}`, 'master', 'br0');
      ip('-n', node, 'link', 'set', `v${i}`, 'type', 'bridge_slave', 'hairpin', 'on');
      ip('-n', node, 'link', 'set', `v${i}`, 'up');
      ip('-n', netns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      ip('-n', netns, 'link', 'set', 'eth0', 'up');
      ip('-n', netns, 'link', 'set', 'lo', 'up');
      ip('-n', netns, 'route', 'add', 'default', 'via', Gateway);
      pods.set(name, { netns, ip: addr });
    });
  } catch (e) {
    cleanup();
    throw e;
  }
  return {
    node, outside, pods, cleanup,
    async serve(pod, port = 8080) {
      const p = pods.get(pod)!;
      const code = `require('net').createServer((s) => s.end(process.argv[1] + ' ' + s.remoteAddress.replace('::ffff:', '') + '\\n'))
        .listen(${port}, '0.0.0.0', () => console.log('up'))`;
      const child = spawn('ip', ['netns', 'exec', p.netns, process.execPath, '-e', code, pod], { stdio: ['ignore', 'pipe', 'inherit'] });
      servers.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (c) => reject(new Error(`server in ${pod} exited (${c})`)));
      });
    },
  };
}

export interface Answer {
  /** "<pod> <client address as the server saw it>", when connected. */
  out?: string;
  /** The error code (ECONNREFUSED, TIMEOUT, …) otherwise. */
  err?: string;
  /** Milliseconds from connect() to the connection (or its failure). */
  connectMs: number;
}

/** Makes `count` connections one after another from inside `netns` to ip:port. */
export function connectFrom(netns: string, ip: string, port: number, count = 1, timeoutMs = 2000): Answer[] {
  const code = `const net = require('net'); const [ip, port, count, to] = process.argv.slice(1);
  (async () => { const out = [];
    for (let i = 0; i < +count; i++) out.push(await new Promise((res) => {
      const t0 = performance.now(); let connectMs; let d = '';
      const s = net.connect({ host: ip, port: +port }, () => { connectMs = performance.now() - t0; });
      s.setTimeout(+to, () => { s.destroy(); res({ err: 'TIMEOUT', connectMs: performance.now() - t0 }); });
      s.on('data', (c) => { d += c; });
      s.on('end', () => { s.destroy(); res({ out: d.trim(), connectMs }); });
      s.on('error', (e) => res({ err: e.code, connectMs: performance.now() - t0 }));
    }));
    console.log(JSON.stringify(out)); })();`;
  const r = spawnSync('ip', ['netns', 'exec', netns, process.execPath, '-e', code, ip, String(port), String(count), String(timeoutMs)],
    { encoding: 'utf8', timeout: 60_000 + count * timeoutMs });
  if (r.status !== 0) throw new Error(`client in ${netns} failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout);
}

/** Who answered: the pod name of each answer, or `!<error>`. */
export const whoAnswered = (answers: Answer[]) => answers.map((a) => (a.out ? a.out.split(' ')[0] : `!${a.err}`));
