/** @module Table tests for NodeUnschedulable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod, runFilter } from '../../testing/builders.js';
import { ErrReasonUnschedulable, New } from './node-unschedulable.js';

const cordoned = makeNode('cordoned', { unschedulable: true });
const cases = [
  { name: 'a cordoned node rejects a pod without tolerations', pod: makePod(), want: { cordoned: ErrReasonUnschedulable, open: '' } },
  { name: 'a pod tolerating the unschedulable taint fits a cordoned node',
    pod: makePod({ spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }),
    want: { cordoned: '', open: '' } },
  { name: 'a toleration of another key does not help', pod: makePod({ spec: { tolerations: [{ key: 'other', operator: 'Exists' }] } }),
    want: { cordoned: ErrReasonUnschedulable, open: '' } },
];
for (const c of cases) test(c.name, () => assert.deepEqual(runFilter(New, c.pod, [cordoned, makeNode('open')]), c.want));
