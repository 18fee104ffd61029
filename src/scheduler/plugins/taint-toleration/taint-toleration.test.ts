/** @module Table tests for TaintToleration: filter reasons and PreferNoSchedule scoring. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { makeNode, makePod, nodeWithTaints, runFilter, runScore } from '../../testing/builders.js';
import { New } from './taint-toleration.js';

const tolerating = (...tolerations: Toleration[]) => makePod({ spec: { tolerations } });
const unreachable = nodeWithTaints('unreachable', { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' });
const gpu = nodeWithTaints('gpu', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' });
const soft = nodeWithTaints('soft', { key: 'spot', value: 'true', effect: 'PreferNoSchedule' });

const filterCases = [
  { name: 'untolerated NoSchedule and NoExecute taints reject the pod, PreferNoSchedule does not', pod: makePod(),
    want: { unreachable: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }', gpu: 'node(s) had untolerated taint {dedicated: gpu}', soft: '' } },
  { name: 'an Equal toleration must match the value', pod: tolerating({ key: 'dedicated', value: 'cpu', effect: 'NoSchedule' }),
    want: { unreachable: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }', gpu: 'node(s) had untolerated taint {dedicated: gpu}', soft: '' } },
  { name: 'Exists without a key tolerates every taint', pod: tolerating({ operator: 'Exists' }), want: { unreachable: '', gpu: '', soft: '' } },
  { name: 'a toleration for another effect does not tolerate', pod: tolerating({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }),
    want: { unreachable: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }', gpu: 'node(s) had untolerated taint {dedicated: gpu}', soft: '' } },
];
for (const c of filterCases) test(c.name, () => assert.deepEqual(runFilter(New, c.pod, [unreachable, gpu, soft]), c.want));

const twoSoft = nodeWithTaints('two', { key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' });
const scoreCases = [
  { name: 'fewer untolerated PreferNoSchedule taints score higher', pod: makePod(),
    want: [{ name: 'clean', score: 100 }, { name: 'soft', score: 50 }, { name: 'two', score: 0 }] },
  { name: 'a tolerated PreferNoSchedule taint does not count', pod: tolerating({ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }),
    want: [{ name: 'clean', score: 100 }, { name: 'soft', score: 100 }, { name: 'two', score: 0 }] },
];
for (const c of scoreCases) test(c.name, () => assert.deepEqual(runScore(New, c.pod, [makeNode('clean'), soft, twoSoft]), c.want));
