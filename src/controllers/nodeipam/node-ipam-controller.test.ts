/** @module The node IPAM controller on the in-process cluster: allocation, restarts, exhaustion, release on delete, CIDRs kept as found. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { InformerFactory, sleep } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import type { ControllerContext } from '../context.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { EventCIDRNotAvailable, EventPodCIDROutOfRange, NodeIPAMController, type NodeIPAMOptions } from './node-ipam-controller.js';
import { waitFor } from '../../../test/support/wait-for.js';

const nodes = ref('Node');
let kit: ControllerTestKit;
let stop: AbortController;

beforeEach(async () => {
  kit = await startControllerTestKit();
  stop = new AbortController();
});
afterEach(async () => {
  stop.abort();
  await kit.close();
});

/** Starts a controller with its own informers (a fresh controller manager), running until `signal` aborts. */
async function startController(opts: NodeIPAMOptions, signal = stop.signal): Promise<NodeIPAMController> {
  const ctx: ControllerContext = { ...kit.ctx, informers: new InformerFactory(kit.ctx.client, { freeze: true }) };
  const c = new NodeIPAMController(ctx, opts);
  c.setup();
  ctx.informers.start(signal);
  await ctx.informers.waitForSync();
  void c.run(signal);
  return c;
}

const node = (name: string, podCIDR?: string) =>
  kit.admin.create(nodes, { metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
const cidrOf = (name: string) => waitFor(async () => (await kit.admin.get(nodes, name)).spec?.podCIDR as string | undefined, `${name}'s podCIDR`);
const eventsFor = (name: string, reason: string) => kit.events.filter((e) => e.object === `Node/undefined/${name}` && e.reason === reason);
const cidrPatches = () => kit.actions.filter((a) => a.verb === 'patch' && a.resource === 'nodes');

test('every node without a podCIDR gets its own /24 of the cluster CIDR, in podCIDR and podCIDRs', async () => {
  await node('a');
  await startController({ clusterCIDR: '10.42.0.0/16' });
  await node('b');
  const a = await cidrOf('a');
  const b = await cidrOf('b');
  assert.deepEqual([a, b].sort(), ['10.42.0.0/24', '10.42.1.0/24']);
  const stored: Obj = await kit.admin.get(nodes, 'b');
  assert.deepEqual(stored.spec.podCIDRs, [b]);
  assert.equal(cidrPatches().length, 2);
});

test('a restarted controller never hands out a CIDR a node holds; a node keeps a CIDR outside the range, with one event', async () => {
  const first = new AbortController();
  await node('a');
  await node('b');
  await startController({ clusterCIDR: '10.42.0.0/16' }, first.signal);
  const held = [await cidrOf('a'), await cidrOf('b')];
  first.abort();

  await node('elsewhere', '10.64.0.0/24');
  await node('c');
  await startController({ clusterCIDR: '10.42.0.0/16' });
  const c = await cidrOf('c');
  assert.ok(!held.includes(c), `${c} is not one of ${held}`);
  assert.match(c, /^10\.42\.\d+\.0\/24$/);
  assert.equal((await kit.admin.get(nodes, 'elsewhere')).spec.podCIDR, '10.64.0.0/24');
  await waitFor(() => eventsFor('elsewhere', EventPodCIDROutOfRange).length === 1, 'the out-of-range event');
  const [e] = eventsFor('elsewhere', EventPodCIDROutOfRange);
  assert.equal(e!.type, 'Warning');
  assert.equal(e!.message, 'Node elsewhere has pod CIDR 10.64.0.0/24 outside the cluster CIDR 10.42.0.0/16: kept as it is');
  // Its heartbeats bring no second event.
  await kit.admin.patch(nodes, 'elsewhere', 'merge', { metadata: { labels: { beat: '1' } } });
  await sleep(100);
  assert.equal(eventsFor('elsewhere', EventPodCIDROutOfRange).length, 1);
});

test('when the range is exhausted each node left over gets one CIDRNotAvailable event; a deleted node frees its CIDR for one of them', async () => {
  // A /23 holds two /24s.
  await startController({ clusterCIDR: '10.99.0.0/23', nodeCIDRMaskSize: 24 });
  for (const n of ['a', 'b', 'c', 'd']) await node(n);
  await waitFor(() => ['c', 'd'].every((n) => eventsFor(n, EventCIDRNotAvailable).length === 1) || undefined, 'events for c and d');
  assert.deepEqual([await cidrOf('a'), await cidrOf('b')].sort(), ['10.99.0.0/24', '10.99.1.0/24']);
  const [e] = eventsFor('c', EventCIDRNotAvailable);
  assert.deepEqual([e!.type, e!.message], ['Warning', 'Node c status is now: CIDRNotAvailable']);

  // Updates of the waiting nodes (heartbeats) neither retry nor repeat the event.
  const patches = cidrPatches().length;
  for (let i = 0; i < 5; i++) for (const n of ['c', 'd']) await kit.admin.patch(nodes, n, 'merge', { metadata: { labels: { beat: `${i}` } } });
  await sleep(150);
  assert.equal(cidrPatches().length, patches);
  assert.equal(kit.events.filter((x) => x.reason === EventCIDRNotAvailable).length, 2);

  const freed = (await kit.admin.get(nodes, 'a')).spec.podCIDR;
  await kit.admin.delete(nodes, 'a');
  const winner = await waitFor(async () => {
    const [c, d] = await Promise.all(['c', 'd'].map(async (n) => (await kit.admin.get(nodes, n)).spec?.podCIDR));
    return c ? { name: 'c', cidr: c, other: d } : d ? { name: 'd', cidr: d, other: c } : undefined;
  }, 'a waiting node to get the freed CIDR');
  assert.equal(winner.cidr, freed);
  assert.equal(winner.other, undefined);
  await sleep(100);
  assert.equal(kit.events.filter((x) => x.reason === EventCIDRNotAvailable).length, 2, 'the node still waiting is not told again');
});

test('a cluster CIDR that cannot be cut into the mask size is refused', () => {
  assert.throws(() => new NodeIPAMController(kit.ctx, { clusterCIDR: '10.42.0.0/16', nodeCIDRMaskSize: 8 }), /mask size 8/);
  assert.throws(() => new NodeIPAMController(kit.ctx, { clusterCIDR: '10.0.0.0/8', nodeCIDRMaskSize: 30 }), /more than 2\^16/);
  assert.throws(() => new NodeIPAMController(kit.ctx, { clusterCIDR: 'fd00::/48' }), /not an IPv4 CIDR/);
});
