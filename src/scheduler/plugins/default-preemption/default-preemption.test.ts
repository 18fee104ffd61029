/** @module Table tests for DefaultPreemption: eligibility, victim selection and upstream messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../framework/cycle-state.js';
import { newPodInfo } from '../../framework/pod-info.js';
import { inTreeRegistry, defaultProfile } from '../../registry.js';
import { frameworkFor, makeNode, makePod, nodeWithTaints, snapshotOf } from '../../testing/builders.js';

/** Runs PreFilter + Filter on every node, then the PostFilter: victims by name, or the message. */
function preempt(pod: Pod, nodes: Node[], existing: Pod[]): { node?: string; victims?: string[]; message?: string } {
  const snapshot = snapshotOf(nodes, existing);
  const fwk = frameworkFor(snapshot, inTreeRegistry, defaultProfile());
  const info = newPodInfo(pod);
  const state = new CycleState();
  fwk.runPreFilterPlugins(state, info, snapshot);
  const statuses = new Map();
  for (const n of snapshot.nodes()) {
    const s = fwk.runFilterPlugins(state, info, n);
    if (s) statuses.set(n.name, s);
  }
  const { result, reasons } = fwk.runPostFilterPlugins(state, info, statuses);
  return result ? { node: result.nominatedNodeName, victims: result.victims.map((v) => v.name).sort() } : { message: reasons.join(', ') };
}

const pod = (name: string, cpu: string, priority: number, node?: string, extra: Partial<NonNullable<Pod['spec']>> = {}) =>
  makePod({ name, cpu, priority, node, spec: extra });

const cases = [
  { name: 'the lowest-priority pods that make room are the victims, others are reprieved',
    pod: pod('p', '2', 100), nodes: [makeNode('n', { cpu: '4' })],
    existing: [pod('v1', '2', 1, 'n'), pod('v2', '1', 5, 'n'), pod('v3', '1', 10, 'n')], want: { node: 'n', victims: ['v1'] } },
  { name: 'the node whose highest victim has the lowest priority wins',
    pod: pod('p', '2', 100), nodes: [makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })],
    existing: [pod('x', '2', 50, 'a'), pod('y', '2', 10, 'b')], want: { node: 'b', victims: ['y'] } },
  { name: 'pods of equal or higher priority are never victims',
    pod: pod('p', '2', 10), nodes: [makeNode('n', { cpu: '2' })], existing: [pod('same', '2', 10, 'n')],
    want: { message: 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..' } },
  { name: 'nodes rejected for unresolvable reasons are not helped by preemption',
    pod: pod('p', '1', 100), nodes: [nodeWithTaints('t', { key: 'k', effect: 'NoSchedule' }), makeNode('n', { cpu: '1' })],
    existing: [pod('hi', '1', 1000, 'n')],
    want: { message: 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod., 1 Preemption is not helpful for scheduling.' } },
  { name: 'a pod that does not fit even on an empty node gets the filter reasons',
    pod: pod('p', '8', 100), nodes: [makeNode('n', { cpu: '4' })], existing: [pod('low', '1', 1, 'n')],
    want: { message: 'preemption: 0/1 nodes are available: 1 Insufficient cpu.' } },
  { name: 'preemptionPolicy Never never preempts',
    pod: pod('p', '2', 100, undefined, { preemptionPolicy: 'Never' }), nodes: [makeNode('n', { cpu: '2' })], existing: [pod('low', '2', 1, 'n')],
    want: { message: 'preemption: not eligible due to preemptionPolicy=Never.' } },
];
for (const c of cases) test(c.name, () => assert.deepEqual(preempt(c.pod, c.nodes, c.existing), c.want));
