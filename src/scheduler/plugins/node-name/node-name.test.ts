/** @module Table tests for NodeName. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod, runFilter } from '../../testing/builders.js';
import { ErrReason, New } from './node-name.js';

const cases = [
  { name: 'a pod without a node name fits any node', pod: makePod(), want: { a: '', b: '' } },
  { name: 'a pod naming a node fits only that node', pod: makePod({ node: 'a' }), want: { a: '', b: ErrReason } },
];
for (const c of cases) test(c.name, () => assert.deepEqual(runFilter(New, c.pod, [makeNode('a'), makeNode('b')]), c.want));
