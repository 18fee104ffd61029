/** @module Tests for the scheduling algorithm: how many nodes are filtered, spreading of equal nodes, FitError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from './framework/cycle-state.js';
import { FitError } from './framework/fit-error.js';
import { newPodInfo } from './framework/pod-info.js';
import { defaultProfile, inTreeRegistry } from './registry.js';
import { Algorithm, numFeasibleNodesToFind } from './schedule-one.js';
import { frameworkFor, makeNode, makePod, snapshotOf } from './testing/builders.js';

const feasibleCases = [
  { name: 'below 100 nodes every node is filtered', nodes: 99, want: 99 },
  { name: 'at 1,000 nodes the adaptive share is 42 %', nodes: 1000, want: 420 },
  { name: 'at 5,000 nodes the adaptive share is 10 %', nodes: 5000, want: 500 },
  { name: 'the share never goes below 5 %', nodes: 20_000, want: 1000 },
  { name: 'at least 100 nodes are looked for', nodes: 150, want: 100 },
];
for (const c of feasibleCases) test(c.name, () => assert.equal(numFeasibleNodesToFind(c.nodes), c.want));

test('a configured percentage replaces the adaptive one', () => assert.equal(numFeasibleNodesToFind(1000, 20), 200));

test('filtering stops after enough feasible nodes (47 % of 400)', () => {
  const snapshot = snapshotOf(Array.from({ length: 400 }, (_, i) => makeNode(`n${i}`)));
  const algorithm = new Algorithm(frameworkFor(snapshot, inTreeRegistry, defaultProfile()), snapshot);
  const first = algorithm.schedulePod(new CycleState(), newPodInfo(makePod()));
  assert.deepEqual([first.evaluatedNodes, first.feasibleNodes], [188, 188]);
});

test('a pod that fits nowhere throws a FitError with the per-node histogram', () => {
  const snapshot = snapshotOf([makeNode('a', { cpu: '1' }), makeNode('b', { cpu: '1' }), makeNode('c', { unschedulable: true })]);
  const algorithm = new Algorithm(frameworkFor(snapshot, inTreeRegistry, defaultProfile()), snapshot);
  assert.throws(() => algorithm.schedulePod(new CycleState(), newPodInfo(makePod({ cpu: '2' }))), (e: unknown) => {
    assert.ok(e instanceof FitError);
    assert.equal(e.message, '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.');
    assert.deepEqual([...e.diagnosis.unschedulablePlugins].sort(), ['NodeResourcesFit', 'NodeUnschedulable']);
    return true;
  });
});

test('equally scored nodes are chosen at random', () => {
  const snapshot = snapshotOf([makeNode('a'), makeNode('b')]);
  const fwk = frameworkFor(snapshot, inTreeRegistry, defaultProfile());
  const pick = (r: number) => new Algorithm(fwk, snapshot, { random: () => r }).schedulePod(new CycleState(), newPodInfo(makePod())).suggestedHost;
  assert.deepEqual([pick(0), pick(0.9)], ['b', 'a']);
});
