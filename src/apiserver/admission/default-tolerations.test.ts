/** @module DefaultTolerationSeconds: table tests of which tolerations a new pod gets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDefaultTolerations } from './default-tolerations.js';

const notReady = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const cases: { name: string; tolerations?: object[]; want: object[] }[] = [
  { name: 'a pod without tolerations gets both, 300 s each', want: [notReady, unreachable] },
  { name: 'an own not-ready toleration is kept and only unreachable is added',
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }],
    want: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }, unreachable] },
  { name: 'a toleration of every taint (empty key, empty effect) needs nothing', tolerations: [{ operator: 'Exists' }], want: [{ operator: 'Exists' }] },
  { name: 'a NoSchedule toleration of the same key does not count',
    tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }],
    want: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, notReady, unreachable] },
];
for (const c of cases) {
  test(c.name, () => {
    const pod = { spec: { tolerations: c.tolerations } };
    addDefaultTolerations(pod);
    assert.deepEqual(pod.spec.tolerations, c.want);
  });
}
