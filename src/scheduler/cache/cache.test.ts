/** @module The cache's incremental counts (pod counters, anti-affinity term groups, node domains) against a recount from scratch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matches, parseSelector } from '../../apimachinery/labels/index.js';
import { newPodInfo, type PodInfo } from '../framework/pod-info.js';
import { makeNode, makePod, nodeWithLabels } from '../testing/builders.js';
import { Cache } from './cache.js';

const ZONE = 'topology.kubernetes.io/zone';
const web = parseSelector('app=web');
const isWeb = (p: PodInfo) => matches(web, p.labels);
const byDomain = (c: Cache, key: string) => Object.fromEntries(c.podCounts('web', isWeb).byDomain(key));

/** The same sums counted from scratch over the cache's nodes. */
function recount(c: Cache, key: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of c.nodes()) {
    const v = n.labels[key];
    const k = n.pods.filter(isWeb).length;
    if (v !== undefined && k > 0) out[v] = (out[v] ?? 0) + k;
  }
  return out;
}

test('pod counts per domain follow pod adds, removes, assumptions and relabelled or deleted nodes', () => {
  const c = new Cache();
  c.setNode(nodeWithLabels('a1', { [ZONE]: 'a' }));
  c.setNode(nodeWithLabels('b1', { [ZONE]: 'b' }));
  c.setPod(makePod({ name: 'w1', labels: { app: 'web' }, node: 'a1' }));
  c.setPod(makePod({ name: 'x', labels: { app: 'db' }, node: 'a1' }));
  // Counts made after pods exist start from them.
  assert.deepEqual(byDomain(c, ZONE), { a: 1 });
  const w2 = makePod({ name: 'w2', labels: { app: 'web' }, node: 'b1' });
  c.setPod(w2);
  c.assumePod(newPodInfo(makePod({ name: 'w3', labels: { app: 'web' } })), 'b1');
  assert.deepEqual(byDomain(c, ZONE), { a: 1, b: 2 });
  c.removePod(w2);
  assert.deepEqual(byDomain(c, ZONE), recount(c, ZONE));
  // b1 moves to zone a: its pods move with it.
  c.setNode(nodeWithLabels('b1', { [ZONE]: 'a' }));
  assert.deepEqual(byDomain(c, ZONE), { a: 2 });
  assert.deepEqual(byDomain(c, ZONE), recount(c, ZONE));
  // A deleted node's pods stop counting; the node coming back brings them back.
  c.removeNode(makeNode('a1'));
  assert.deepEqual(byDomain(c, ZONE), { a: 1 });
  c.setNode(nodeWithLabels('a1', { [ZONE]: 'c' }));
  assert.deepEqual(byDomain(c, ZONE), { a: 1, c: 1 });
  assert.deepEqual(Object.fromEntries(c.nodeDomains(ZONE)), { a: 1, c: 1 });
  assert.deepEqual(Object.fromEntries(c.nodeDomains('kubernetes.io/hostname')), { a1: 1, b1: 1 });
});

test("anti-affinity term groups count per domain, and nodes' domains follow node changes", () => {
  const c = new Cache();
  c.setNode(nodeWithLabels('a1', { [ZONE]: 'a' }));
  c.setNode(nodeWithLabels('a2', { [ZONE]: 'a' }));
  const anti = (name: string, node: string): Pod => makePod({ name, node, labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: ZONE }] } } } });
  c.setPod(anti('p1', 'a1'));
  c.setPod(anti('p2', 'a2'));
  const [g] = [...c.antiAffinityTermGroups()];
  assert.deepEqual(Object.fromEntries(g.counts.byDomain(ZONE)), { a: 2 });
  c.setNode(nodeWithLabels('a2', { [ZONE]: 'b' }));
  assert.deepEqual(Object.fromEntries(g.counts.byDomain(ZONE)), { a: 1, b: 1 });
  assert.deepEqual(Object.fromEntries(c.nodeDomains(ZONE)), { a: 1, b: 1 });
  c.removePod(anti('p1', 'a1'));
  assert.deepEqual(Object.fromEntries(g.counts.byDomain(ZONE)), { b: 1 });
  c.removePod(anti('p2', 'a2'));
  assert.equal([...c.antiAffinityTermGroups()].length, 0);
});

test('a heartbeat that keeps the labels leaves the counts alone; counters over namespace labels are dropped on namespace changes', () => {
  const c = new Cache();
  c.setNode(nodeWithLabels('a1', { [ZONE]: 'a' }));
  c.setPod(makePod({ labels: { app: 'web' }, node: 'a1' }));
  const counts = c.podCounts('web', isWeb);
  c.setNode(nodeWithLabels('a1', { [ZONE]: 'a' }));
  assert.deepEqual(Object.fromEntries(counts.byDomain(ZONE)), { a: 1 });
  const nsCounts = c.podCounts('ns-web', isWeb, { usesNamespaceLabels: true });
  assert.equal(c.podCounts('ns-web', isWeb, { usesNamespaceLabels: true }), nsCounts);
  c.setNamespace({ metadata: { name: 'default', labels: { team: 'x' } } });
  assert.notEqual(c.podCounts('ns-web', isWeb, { usesNamespaceLabels: true }), nsCounts);
  assert.equal(c.podCounts('web', isWeb), counts);
});

test('random pod and node changes: counters, term groups and node domains always equal a recount', () => {
  let seed = 42;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const c = new Cache();
  const nodeNames = ['n0', 'n1', 'n2', 'n3', 'n4'];
  const zoneOf = new Map<string, string>();
  const pods = new Map<string, Pod>();
  c.podCounts('web', isWeb); // counting from the start, and (below) from a later point
  for (let step = 0; step < 400; step++) {
    const op = rand(10);
    const name = nodeNames[rand(nodeNames.length)];
    if (op < 2) {
      const zone = `z${rand(3)}`;
      zoneOf.set(name, zone);
      c.setNode(nodeWithLabels(name, { [ZONE]: zone }));
    } else if (op === 2) {
      zoneOf.delete(name);
      c.removeNode(makeNode(name));
    } else if (op < 8) {
      const pod = makePod({ name: `p${rand(30)}`, node: name, labels: { app: rand(2) ? 'web' : 'db' } });
      pods.set(pod.metadata!.name!, pod);
      c.setPod(pod);
    } else {
      const key = `p${rand(30)}`;
      const pod = pods.get(key);
      if (pod) { c.removePod(pod); pods.delete(key); }
    }
    if (step === 200) c.podCounts('web-late', isWeb);
    for (const key of ['web', 'web-late']) {
      if (step < 200 && key === 'web-late') continue;
      assert.deepEqual(Object.fromEntries(c.podCounts(key, isWeb).byDomain(ZONE)), recount(c, ZONE), `step ${step} ${key}`);
    }
    const domains: Record<string, number> = {};
    for (const z of zoneOf.values()) domains[z] = (domains[z] ?? 0) + 1;
    assert.deepEqual(Object.fromEntries(c.nodeDomains(ZONE)), domains, `step ${step} domains`);
  }
});
