/**
 * @module QoS classes as GetPodQOS computes them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { qosClass } from './qos.js';

const c = (requests?: Obj, limits?: Obj): Obj => ({ name: 'c', resources: { requests, limits } });
const pod = (containers: Obj[], initContainers: Obj[] = [], status?: Obj): Obj => ({ spec: { containers, initContainers }, status });

const cases: { name: string; pod: Obj; want: string }[] = [
  { name: 'no resources is BestEffort', pod: pod([c(), c()]), want: 'BestEffort' },
  { name: 'zero quantities count as none', pod: pod([c({ cpu: '0' }, { memory: '0' })]), want: 'BestEffort' },
  { name: 'only other resources is BestEffort', pod: pod([c({ 'ephemeral-storage': '1Gi' })]), want: 'BestEffort' },
  { name: 'limits equal to requests for cpu and memory is Guaranteed', pod: pod([c({ cpu: '500m', memory: '64Mi' }, { cpu: '0.5', memory: '67108864' })]), want: 'Guaranteed' },
  { name: 'a request below the limit is Burstable', pod: pod([c({ cpu: '250m', memory: '64Mi' }, { cpu: '500m', memory: '64Mi' })]), want: 'Burstable' },
  { name: 'a cpu limit without a memory limit is Burstable', pod: pod([c({ cpu: '1' }, { cpu: '1' })]), want: 'Burstable' },
  { name: 'one BestEffort container among Guaranteed ones is Burstable', pod: pod([c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), c()]), want: 'Burstable' },
  { name: 'init containers count', pod: pod([c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })], [c({ cpu: '1' })]), want: 'Burstable' },
  { name: 'a request alone is Burstable', pod: pod([c({ memory: '1Mi' })]), want: 'Burstable' },
  { name: 'status.qosClass wins once set', pod: pod([c()], [], { qosClass: 'Burstable' }), want: 'Burstable' },
];

for (const t of cases) test(t.name, () => assert.equal(qosClass(t.pod), t.want));
