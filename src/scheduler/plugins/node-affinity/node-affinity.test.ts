/** @module Table tests for NodeAffinity: nodeSelector, required terms and preferred scoring. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import { makePod, nodeWithLabels, runFilter, runScore } from '../../testing/builders.js';
import { ErrReasonPod, New } from './node-affinity.js';

const nodes = [nodeWithLabels('ssd', { disk: 'ssd', gen: '5' }), nodeWithLabels('hdd', { disk: 'hdd', gen: '3' }), nodeWithLabels('none', {})];
const required = (...terms: NodeSelectorTerm[]) =>
  makePod({ spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });

const filterCases = [
  { name: 'no selector and no affinity fit every node', pod: makePod(), want: { ssd: '', hdd: '', none: '' } },
  { name: 'nodeSelector needs every label', pod: makePod({ spec: { nodeSelector: { disk: 'ssd' } } }), want: { ssd: '', hdd: ErrReasonPod, none: ErrReasonPod } },
  { name: 'terms are ORed', pod: required({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
    { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }), want: { ssd: '', hdd: '', none: ErrReasonPod } },
  { name: 'NotIn and DoesNotExist match nodes without the label', pod: required({ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }),
    want: { ssd: ErrReasonPod, hdd: '', none: '' } },
  { name: 'Gt compares integers', pod: required({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }), want: { ssd: '', hdd: ErrReasonPod, none: ErrReasonPod } },
  { name: 'matchFields selects by node name', pod: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['none'] }] }),
    want: { ssd: ErrReasonPod, hdd: ErrReasonPod, none: '' } },
  { name: 'an empty term matches nothing', pod: required({}), want: { ssd: ErrReasonPod, hdd: ErrReasonPod, none: ErrReasonPod } },
];
for (const c of filterCases) test(c.name, () => assert.deepEqual(runFilter(New, c.pod, nodes), c.want));

test('preferred terms add their weights, normalized to 100 for the best node', () => {
  const pod = makePod({ spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 2, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
    { weight: 1, preference: { matchExpressions: [{ key: 'gen', operator: 'Exists' }] } }] } } } });
  assert.deepEqual(runScore(New, pod, nodes), [{ name: 'ssd', score: 100 }, { name: 'hdd', score: 33 }, { name: 'none', score: 0 }]);
});

test('without preferred terms every node scores 0', () => {
  assert.deepEqual(runScore(New, makePod(), nodes).map((s) => s.score), [0, 0, 0]);
});
