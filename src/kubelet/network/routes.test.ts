import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import pino from 'pino';
import { ref } from '../../client/kind-ref.js';
import { startInProcess } from '../../../test/support/in-process.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { inNetns } from '../../../test/support/test-hosts.js';
import { removePodRoutes, startPodRoutes, wantedRoutes } from './routes.js';

const NODE = ref('Node');

/** A throwaway network namespace with one link on 10.<net>.0/24 (this node is .1), and what runs `ip` in it. */
function throwawayNetns(t: { after(fn: () => void): void }) {
  const ns = `tthr${randomBytes(2).toString('hex')}`;
  const net = `10.251.${randomInt(1, 255)}`;
  const sh = (argv: string[]) => {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  sh(['ip', 'netns', 'add', ns]);
  t.after(() => { spawnSync('ip', ['netns', 'del', ns]); });
  for (const args of [['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], ['addr', 'add', `${net}.1/24`, 'dev', 'v0'],
    ['link', 'set', 'v0', 'up'], ['link', 'set', 'v1', 'up']]) sh(['ip', '-n', ns, ...args]);
  const exec = (argv: string[]) => inNetns(ns, argv);
  const routes = () => sh(['ip', '-n', ns, '-4', 'route', 'show', 'table', 'main']).split('\n').map((l) => l.trim()).filter(Boolean).sort();
  return { ns, net, exec, sh, routes };
}

const node = (name: string, podCIDR: string | undefined, ip: string | undefined) => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: ip ? { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } : {},
});

test('wantedRoutes: other nodes with an IPv4 podCIDR and InternalIP, first claimant of a CIDR by name', () => {
  const w = wantedRoutes([
    node('self', '10.42.0.0/24', '10.0.0.1'), node('b', '10.42.1.0/24', '10.0.0.2'), node('c', undefined, '10.0.0.3'),
    node('d', '10.42.3.0/24', undefined), node('f', '10.42.1.0/24', '10.0.0.6'), node('e', 'fd00::/64', '10.0.0.5'),
  ], 'self');
  assert.deepEqual([...w.values()], [{ dst: '10.42.1.0/24', via: '10.0.0.2', node: 'b' }]);
});

test('routes to other nodes\' podCIDRs follow the Nodes; stale and local routes; stop removes them', async (t) => {
  const h = throwawayNetns(t);
  const cluster = await startInProcess();
  t.after(() => cluster.close());
  const client = cluster.client();
  // A route an earlier run left behind, and a local route a node's podCIDR must not replace.
  h.sh(['ip', '-n', h.ns, 'route', 'add', '10.42.99.0/24', 'via', `${h.net}.99`, 'proto', '77']);
  h.sh(['ip', '-n', h.ns, 'route', 'add', '10.42.50.0/24', 'dev', 'v0']);
  for (const n of [node('self', '10.42.0.0/24', `${h.net}.1`), node('b', '10.42.1.0/24', `${h.net}.2`), node('c', undefined, undefined),
    node('local', '10.42.50.0/24', `${h.net}.50`), node('faraway', '10.42.60.0/24', '10.252.0.1')]) {
    await client.create(NODE, n);
  }
  const warnings: string[] = [];
  const log = pino({ level: 'silent' });
  const routes = await startPodRoutes({ client, nodeName: 'self', log: { info: () => {}, warn: (m: string) => { warnings.push(m); log.warn(m); } } as never,
    netnsExec: h.exec, resyncIntervalMs: 300 });
  let stopped = false;
  t.after(async () => { if (!stopped) await routes.stop(); });
  await routes.synced();
  const base = [`${h.net}.0/24 dev v0 proto kernel scope link src ${h.net}.1`, '10.42.50.0/24 dev v0 scope link'];
  assert.deepEqual(h.routes(), [...base, `10.42.1.0/24 via ${h.net}.2 dev v0 proto 77`].sort());
  assert.ok(warnings.some((w) => /10\.42\.50\.0\/24 of node local is already routed here/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /cannot route 10\.42\.60\.0\/24 via 10\.252\.0\.1 \(node faraway\)/.test(w)), warnings.join('\n'));

  // A node gets its podCIDR and address: its route comes.
  await client.patch(NODE, 'c', 'merge', { spec: { podCIDR: '10.42.2.0/24', podCIDRs: ['10.42.2.0/24'] } });
  await client.patch(NODE, 'c', 'merge', { status: { addresses: [{ type: 'InternalIP', address: `${h.net}.3` }] } }, { subresource: 'status' });
  await waitFor(() => h.routes().includes(`10.42.2.0/24 via ${h.net}.3 dev v0 proto 77`), 'the route to node c');
  // A node's address changes: its route follows.
  await client.patch(NODE, 'b', 'merge', { status: { addresses: [{ type: 'InternalIP', address: `${h.net}.4` }] } }, { subresource: 'status' });
  await waitFor(() => h.routes().includes(`10.42.1.0/24 via ${h.net}.4 dev v0 proto 77`), 'the route to node b via its new address');
  // A node goes: its route goes.
  await client.delete(NODE, 'b');
  await waitFor(() => !h.routes().some((r) => r.startsWith('10.42.1.0/24')), 'node b\'s route to go');
  // Someone removes a route by hand: the periodic resync puts it back.
  h.sh(['ip', '-n', h.ns, 'route', 'del', '10.42.2.0/24']);
  await waitFor(() => h.routes().includes(`10.42.2.0/24 via ${h.net}.3 dev v0 proto 77`), 'the resync to restore node c\'s route');
  assert.deepEqual(h.routes(), [...base, `10.42.2.0/24 via ${h.net}.3 dev v0 proto 77`].sort());

  await routes.stop();
  stopped = true;
  assert.deepEqual(h.routes(), base.sort(), 'stop removes tugboat\'s routes, and only those');
});

test('removePodRoutes flushes proto 77 only; twice is fine', (t) => {
  const h = throwawayNetns(t);
  h.sh(['ip', '-n', h.ns, 'route', 'add', '10.42.7.0/24', 'via', `${h.net}.7`, 'proto', '77']);
  h.sh(['ip', '-n', h.ns, 'route', 'add', '10.42.8.0/24', 'via', `${h.net}.8`]);
  return (async () => {
    await removePodRoutes(h.exec);
    await removePodRoutes(h.exec);
    assert.deepEqual(h.routes(), [`${h.net}.0/24 dev v0 proto kernel scope link src ${h.net}.1`, `10.42.8.0/24 via ${h.net}.8 dev v0`].sort());
  })();
});
