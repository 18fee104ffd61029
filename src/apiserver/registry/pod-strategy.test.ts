import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podQOSClass } from '../../api/pod-qos.js';
import { preparePodForCreate } from './pod-strategy.js';

const pod = (...resources: object[]) => ({ spec: { containers: resources.map((r) => ({ resources: r })) } });

test('QoS class as GetPodQOS computes it', () => {
  assert.equal(podQOSClass(pod({})), 'BestEffort');
  assert.equal(podQOSClass(pod({ requests: { 'ephemeral-storage': '1Gi' } })), 'BestEffort');
  assert.equal(podQOSClass(pod({ requests: { cpu: '100m' } })), 'Burstable');
  assert.equal(podQOSClass(pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } })), 'Guaranteed');
  assert.equal(podQOSClass(pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } })), 'Burstable');
  assert.equal(podQOSClass(pod({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }, {})), 'Burstable');
});

test('a created pod starts Pending with whatever status it was sent dropped', () => {
  const p: any = { ...pod({}), status: { phase: 'Running', podIP: '10.0.0.1' } };
  preparePodForCreate(p);
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
});
