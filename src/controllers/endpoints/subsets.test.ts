/** @module Endpoints subsets: desired subsets from pods, repacking, and truncation at 1000 with the over-capacity annotation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { desiredSubsets } from './endpoints-controller.js';
import { capacityAnnotationSetCorrectly, MaxCapacity, OverCapacityAnnotation, repackSubsets, truncateSubsets, type Subset } from './subsets.js';

const svc = (spec: Obj = {}): Obj => ({ metadata: { name: 'web', namespace: 'ns' },
  spec: { selector: { app: 'web' }, clusterIP: '10.96.0.1', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }], ...spec } });
const pod = (name: string, ip: string, o: { ready?: boolean; deleting?: boolean; port?: number } = {}): Obj => ({
  metadata: { name, namespace: 'ns', uid: `u-${name}`, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: o.port ? [{ name: 'web', containerPort: o.port, protocol: 'TCP' }] : [] }] },
  status: { phase: 'Running', podIPs: [{ ip }], conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const addr = (ip: string, name: string) => ({ ip, nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name, uid: `u-${name}` } });

test('desired subsets: ready and not-ready addresses per resolved port; terminating pods only when published', () => {
  const cases: { name: string; spec?: Obj; pods: Obj[]; want: Subset[] }[] = [
    { name: 'ready and not ready share a port', pods: [pod('a', '10.0.0.2', { port: 8080 }), pod('b', '10.0.0.1', { port: 8080, ready: false })],
      want: [{ addresses: [addr('10.0.0.2', 'a')], notReadyAddresses: [addr('10.0.0.1', 'b')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] },
    { name: 'different named port numbers make two subsets', pods: [pod('a', '10.0.0.1', { port: 8080 }), pod('b', '10.0.0.2', { port: 9090 })],
      want: [{ addresses: [addr('10.0.0.1', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
        { addresses: [addr('10.0.0.2', 'b')], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] }] },
    { name: 'a pod lacking the named port is left out', pods: [pod('a', '10.0.0.1')], want: [] },
    { name: 'terminating pods are left out', pods: [pod('a', '10.0.0.1', { port: 8080, deleting: true })], want: [] },
    { name: 'published: terminating and unready pods are ready addresses', spec: { publishNotReadyAddresses: true },
      pods: [pod('a', '10.0.0.1', { port: 8080, deleting: true, ready: false })],
      want: [{ addresses: [addr('10.0.0.1', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] },
    { name: 'headless without ports: addresses without ports', spec: { clusterIP: 'None', ports: [] }, pods: [pod('a', '10.0.0.1')],
      want: [{ addresses: [addr('10.0.0.1', 'a')] }] },
    { name: 'not headless without ports: nothing', spec: { ports: [] }, pods: [pod('a', '10.0.0.1')], want: [] },
  ];
  for (const c of cases) assert.deepEqual(desiredSubsets(svc(c.spec), c.pods), c.want, c.name);
});

test('repack: two ports offered by the same addresses share a subset; not ready for one port means not ready', () => {
  const p80 = { name: 'a', port: 80, protocol: 'TCP' };
  const p81 = { name: 'b', port: 81, protocol: 'TCP' };
  const a = addr('10.0.0.1', 'a');
  const b = addr('10.0.0.2', 'b');
  assert.deepEqual(repackSubsets([{ addresses: [a], ports: [p80] }, { addresses: [a], ports: [p81] }, { addresses: [b], ports: [p80] }]),
    [{ addresses: [a, b], ports: [p80] }, { addresses: [a], ports: [p81] }]);
  assert.deepEqual(repackSubsets([{ addresses: [a], ports: [p80] }, { notReadyAddresses: [a], ports: [p80] }]),
    [{ notReadyAddresses: [a], ports: [p80] }]);
});

test('truncation keeps 1000 addresses: not-ready ones go first, then ready ones in proportion', () => {
  const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => addr(`10.${prefix}.${Math.floor(i / 250)}.${i % 250}`, `${prefix}-${i}`));
  assert.equal(truncateSubsets([{ addresses: many(600, '1'), notReadyAddresses: many(400, '2') }]), undefined, 'exactly 1000 fits');

  const notReadyCut = truncateSubsets([{ addresses: many(900, '1'), notReadyAddresses: many(300, '2') }])!;
  assert.deepEqual([notReadyCut[0].addresses!.length, notReadyCut[0].notReadyAddresses!.length], [900, 100]);

  const readyCut = truncateSubsets([{ addresses: many(1200, '1'), notReadyAddresses: many(10, '2') }, { addresses: many(800, '3') }])!;
  assert.deepEqual(readyCut.map((s) => [s.addresses?.length, s.notReadyAddresses?.length]), [[600, undefined], [400, undefined]]);

  assert.equal(capacityAnnotationSetCorrectly(undefined, [{ addresses: many(MaxCapacity, '1') }]), true);
  assert.equal(capacityAnnotationSetCorrectly({ [OverCapacityAnnotation]: 'truncated' }, [{ addresses: many(10, '1') }]), false);
  assert.equal(capacityAnnotationSetCorrectly(undefined, [{ addresses: many(MaxCapacity + 1, '1') }]), false);
});
