/** @module Table tests for NodeResourcesFit: upstream reasons and LeastAllocated scores. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod, runFilter, runScore } from '../../testing/builders.js';
import { New } from './node-resources-fit.js';

const node = makeNode('n', { cpu: '2', memory: '4Gi', pods: '2' });
const filterCases = [
  { name: 'a pod within free cpu and memory fits', pod: makePod({ cpu: '1', memory: '1Gi' }), existing: [makePod({ node: 'n', cpu: '500m' })], want: '' },
  { name: 'more cpu than is free is Insufficient cpu', pod: makePod({ cpu: '1600m' }), existing: [makePod({ node: 'n', cpu: '500m' })], want: 'Insufficient cpu' },
  { name: 'every short resource is listed', pod: makePod({ cpu: '3', memory: '5Gi' }), existing: [], want: 'Insufficient cpu, Insufficient memory' },
  { name: 'a full node is Too many pods even for a pod without requests', pod: makePod(),
    existing: [makePod({ node: 'n' }), makePod({ node: 'n' })], want: 'Too many pods' },
  { name: 'extended resources are checked by name', pod: makePod({ spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '1' } } }] } }),
    existing: [], want: 'Insufficient example.com/gpu' },
  { name: 'init containers count by their largest request', pod: makePod({ cpu: '100m', spec: {
    initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '2500m' } } }] } }), existing: [], want: 'Insufficient cpu' },
];
for (const c of filterCases) test(c.name, () => assert.deepEqual(runFilter(New, c.pod, [node], c.existing), { n: c.want }));

test('LeastAllocated prefers the emptier node, counting missing requests as 100m / 200Mi', () => {
  const nodes = [makeNode('empty', { cpu: '4', memory: '8Gi' }), makeNode('busy', { cpu: '4', memory: '8Gi' })];
  const existing = [makePod({ node: 'busy', cpu: '2', memory: '4Gi' })];
  // empty: cpu (4000-1000)/4000 = 75, memory (8192-2048)/8192 = 75 → 75; busy: 25 and 25 → 25.
  assert.deepEqual(runScore(New, makePod({ cpu: '1', memory: '2Gi' }), nodes, existing), [{ name: 'empty', score: 75 }, { name: 'busy', score: 25 }]);
  // A pod without requests counts as 100m and 200Mi: (4000-100)*100/4000 = 97, (8192-200)*100/8192 = 97.
  assert.deepEqual(runScore(New, makePod(), [nodes[0]]), [{ name: 'empty', score: 97 }]);
});
