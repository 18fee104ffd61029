/** @module Table tests for InterPodAffinity: required (anti-)affinity both ways, topology keys, preferred scoring. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { makePod, nodeWithLabels, runFilter, runScore } from '../../testing/builders.js';
import { ErrReasonAffinityRulesNotMatch, ErrReasonAntiAffinityRulesNotMatch, ErrReasonExistingAntiAffinityRulesNotMatch, New } from './inter-pod-affinity.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const nodes = [nodeWithLabels('a1', { [ZONE]: 'a' }), nodeWithLabels('a2', { [ZONE]: 'a' }), nodeWithLabels('b1', { [ZONE]: 'b' })];
const term = (app: string, topologyKey: string): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const affinity = (labels: Record<string, string>, t: PodAffinityTerm) =>
  makePod({ labels, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } } });
const antiAffinity = (labels: Record<string, string>, t: PodAffinityTerm, node?: string) =>
  makePod({ labels, node, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } } });
const db = makePod({ labels: { app: 'db' }, node: 'a1' });

const cases = [
  { name: 'affinity to a zone admits every node of the zone with a matching pod', pod: affinity({ app: 'web' }, term('db', ZONE)), existing: [db],
    want: { a1: '', a2: '', b1: ErrReasonAffinityRulesNotMatch } },
  { name: 'affinity to a host admits only that host', pod: affinity({ app: 'web' }, term('db', HOST)), existing: [db],
    want: { a1: '', a2: ErrReasonAffinityRulesNotMatch, b1: ErrReasonAffinityRulesNotMatch } },
  { name: 'affinity with no matching pod anywhere rejects every node', pod: affinity({ app: 'web' }, term('db', HOST)), existing: [],
    want: { a1: ErrReasonAffinityRulesNotMatch, a2: ErrReasonAffinityRulesNotMatch, b1: ErrReasonAffinityRulesNotMatch } },
  { name: 'the first pod of a group with affinity to itself goes anywhere', pod: affinity({ app: 'db' }, term('db', HOST)), existing: [],
    want: { a1: '', a2: '', b1: '' } },
  { name: 'anti-affinity by zone keeps the pod out of the whole zone', pod: antiAffinity({ app: 'web' }, term('db', ZONE)), existing: [db],
    want: { a1: ErrReasonAntiAffinityRulesNotMatch, a2: ErrReasonAntiAffinityRulesNotMatch, b1: '' } },
  { name: "an existing pod's anti-affinity keeps a matching pod off its host", pod: makePod({ labels: { app: 'web' } }),
    existing: [antiAffinity({ app: 'cache' }, term('web', HOST), 'a2')], want: { a1: '', a2: ErrReasonExistingAntiAffinityRulesNotMatch, b1: '' } },
  { name: 'terms only select pods in the same namespace by default', pod: antiAffinity({ app: 'web' }, term('db', HOST)),
    existing: [makePod({ labels: { app: 'db' }, node: 'a1', namespace: 'other' })], want: { a1: '', a2: '', b1: '' } },
  { name: 'a pod without affinity next to pods without anti-affinity fits everywhere', pod: makePod(), existing: [db], want: { a1: '', a2: '', b1: '' } },
];
for (const c of cases) test(c.name, () => assert.deepEqual(runFilter(New, c.pod, nodes, c.existing), c.want));

test('preferred affinity and anti-affinity score by topology domain', () => {
  const pod = makePod({ labels: { app: 'web' }, spec: { affinity: {
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('db', ZONE) }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term('web', HOST) }] } } } });
  const existing = [db, makePod({ labels: { app: 'web' }, node: 'a1' })];
  // a1: +10 (zone a has db) -5 (web on a1) = 5; a2: +10; b1: 0 → normalized (x - 0) * 100 / 10.
  assert.deepEqual(runScore(New, pod, nodes, existing), [{ name: 'a1', score: 50 }, { name: 'a2', score: 100 }, { name: 'b1', score: 0 }]);
});

test("an existing pod's required affinity to the incoming pod attracts it with weight 1", () => {
  const existing = [affinity({ app: 'sidecar' }, term('web', HOST))];
  existing[0].spec!.nodeName = 'b1';
  assert.deepEqual(runScore(New, makePod({ labels: { app: 'web' } }), nodes, existing).map((s) => s.score), [0, 0, 100]);
});
