/** @module Table tests for PodTopologySpread: maxSkew filtering, missing labels, minDomains, node affinity, soft scoring. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { makeNode, makePod, nodeWithLabels, runFilter, runScore } from '../../testing/builders.js';
import { ErrReasonConstraintsNotMatch, ErrReasonNodeLabelNotMatch, New } from './pod-topology-spread.js';

const ZONE = 'topology.kubernetes.io/zone';
const nodes = [nodeWithLabels('a1', { [ZONE]: 'a' }), nodeWithLabels('a2', { [ZONE]: 'a' }), nodeWithLabels('b1', { [ZONE]: 'b' }), makeNode('nozone')];
const spread = (c: Partial<TopologySpreadConstraint>, extra: Parameters<typeof makePod>[0] = {}) => makePod({ labels: { app: 'web' }, ...extra,
  spec: { ...extra.spec, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: { app: 'web' } }, ...c }] } });
const web = (node: string, namespace?: string) => makePod({ labels: { app: 'web' }, node, namespace });

const cases = [
  { name: 'the zone with more matching pods is rejected once the skew would exceed maxSkew', pod: spread({}), existing: [web('a1')],
    want: { a1: ErrReasonConstraintsNotMatch, a2: ErrReasonConstraintsNotMatch, b1: '', nozone: ErrReasonNodeLabelNotMatch } },
  { name: 'a larger maxSkew allows the imbalance', pod: spread({ maxSkew: 2 }), existing: [web('a1')], want: { a1: '', a2: '', b1: '', nozone: ErrReasonNodeLabelNotMatch } },
  { name: 'pods in other namespaces and terminating pods do not count', pod: spread({}),
    existing: [web('a1', 'other'), { ...web('a2'), metadata: { ...web('a2').metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }],
    want: { a1: '', a2: '', b1: '', nozone: ErrReasonNodeLabelNotMatch } },
  { name: 'with fewer domains than minDomains the global minimum is 0', pod: spread({ minDomains: 3 }), existing: [web('b1')],
    want: { a1: '', a2: '', b1: ErrReasonConstraintsNotMatch, nozone: ErrReasonNodeLabelNotMatch } },
  { name: 'domains outside the pod node affinity are not counted (nodeAffinityPolicy Honor)',
    pod: spread({}, { spec: { nodeSelector: { [ZONE]: 'a' } } }), existing: [web('a1')],
    want: { a1: '', a2: '', b1: '', nozone: ErrReasonNodeLabelNotMatch } },
  { name: 'ScheduleAnyway constraints never filter', pod: spread({ whenUnsatisfiable: 'ScheduleAnyway' }), existing: [web('a1'), web('a2')],
    want: { a1: '', a2: '', b1: '', nozone: '' } },
];
for (const c of cases) test(c.name, () => assert.deepEqual(runFilter(New, c.pod, nodes, c.existing), c.want));

test('ScheduleAnyway prefers the zone with fewer matching pods and ignores nodes without the key', () => {
  const pod = spread({ whenUnsatisfiable: 'ScheduleAnyway' });
  // Two zones: weight ln(4); a = 2 pods → round(2*1.386) = 3, b = 0 → 0; normalized 100*(3+0-s)/3.
  assert.deepEqual(runScore(New, pod, nodes, [web('a1'), web('a2')]),
    [{ name: 'a1', score: 0 }, { name: 'a2', score: 0 }, { name: 'b1', score: 100 }, { name: 'nozone', score: 0 }]);
});
