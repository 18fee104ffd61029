/** @module Table tests for NodeResourcesBalancedAllocation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod, runScore } from '../../testing/builders.js';
import { New } from './node-resources-balanced-allocation.js';

const cases = [
  { name: 'equal cpu and memory fractions score 100', pod: makePod({ cpu: '1', memory: '2Gi' }), want: 100 },
  { name: 'a cpu-only pod on an empty node scores by half the difference', pod: makePod({ cpu: '2' }), want: 75 },
  { name: 'fractions above 1 are capped', pod: makePod({ cpu: '8' }), want: 50 },
  { name: 'a pod without requests keeps an empty node balanced', pod: makePod(), want: 100 },
];
for (const c of cases) {
  test(c.name, () => assert.deepEqual(runScore(New, c.pod, [makeNode('n', { cpu: '4', memory: '8Gi' })]), [{ name: 'n', score: c.want }]));
}
