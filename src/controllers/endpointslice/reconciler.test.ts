/** @module Table-driven tests of the EndpointSlice plan: conditions, named ports, splitting at 100, minimal churn, placeholders. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ControllerName, ManagedByLabel, ServiceNameLabel } from './endpoint.js';
import { planEndpointSlices, type PlanInput } from './reconciler.js';

const svc = (spec: Obj = {}, labels?: Record<string, string>): Obj => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
});

interface PodOpts { ready?: boolean; deleting?: boolean; ip?: string; node?: string; ports?: Obj[]; phase?: string }
const pod = (name: string, o: PodOpts = {}): Obj => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c', image: 'i', ports: o.ports ?? [] }] },
  status: { phase: o.phase ?? 'Running', podIP: o.ip ?? `10.0.0.${name.replace(/\D/g, '') || 1}`,
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

const nodes: Record<string, Obj> = {
  n1: { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } },
  n2: { metadata: { name: 'n2', labels: {} } },
};
const input = (service: Obj, pods: Obj[], existingSlices: Obj[] = [], extra: Partial<PlanInput> = {}): PlanInput =>
  ({ service, pods, existingSlices, node: (n) => nodes[n], ...extra });

/** Gives planned creates names and resourceVersions, as the server would. */
let seq = 0;
const stored = (slices: Obj[]): Obj[] => slices.map((s) => ({ ...s, metadata: { ...s.metadata, name: s.metadata.name ?? `web-${++seq}`, resourceVersion: String(seq) } }));

test('endpoint conditions follow readiness, termination and publishNotReadyAddresses', () => {
  const cases: { name: string; pod: PodOpts; publish?: boolean; want: Obj }[] = [
    { name: 'ready', pod: {}, want: { ready: true, serving: true, terminating: false } },
    { name: 'not ready', pod: { ready: false }, want: { ready: false, serving: false, terminating: false } },
    { name: 'terminating, still ready', pod: { deleting: true }, want: { ready: false, serving: true, terminating: true } },
    { name: 'terminating, not ready', pod: { deleting: true, ready: false }, want: { ready: false, serving: false, terminating: true } },
    { name: 'not ready, published', pod: { ready: false }, publish: true, want: { ready: true, serving: false, terminating: false } },
    { name: 'terminating, published', pod: { deleting: true }, publish: true, want: { ready: true, serving: true, terminating: true } },
  ];
  for (const c of cases) {
    const plan = planEndpointSlices(input(svc({ publishNotReadyAddresses: c.publish }), [pod('p1', c.pod)]));
    assert.equal(plan.create.length, 1, c.name);
    assert.deepEqual(plan.create[0].endpoints[0].conditions, c.want, c.name);
  }
});

test('an endpoint carries addresses, node, zone and a Pod targetRef; pods without IP or terminal are left out', () => {
  const plan = planEndpointSlices(input(svc(), [pod('p1'), pod('p2', { node: 'n2' }), pod('p3', { ip: '' }), pod('p4', { phase: 'Failed' })]));
  assert.equal(plan.create.length, 1);
  const s = plan.create[0];
  assert.equal(s.addressType, 'IPv4');
  assert.equal(s.metadata.generateName, 'web-');
  assert.deepEqual(s.metadata.labels, { [ServiceNameLabel]: 'web', [ManagedByLabel]: ControllerName });
  assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(s.endpoints, [
    { addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n1', zone: 'zone-a',
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'uid-p1' } },
    { addresses: ['10.0.0.2'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n2',
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'p2', uid: 'uid-p2' } },
  ]);
});

test('named target ports resolve per pod; pods lacking the name go to a slice without that port', () => {
  const service = svc({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' }] });
  const pods = [
    pod('p1', { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
    pod('p2', { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
    pod('p3', { ports: [{ name: 'web', containerPort: 9000, protocol: 'TCP' }] }),
    pod('p4', { ports: [{ name: 'web', containerPort: 8080, protocol: 'UDP' }] }),
  ];
  const plan = planEndpointSlices(input(service, pods));
  const byPorts = Object.fromEntries(plan.create.map((s) => [s.ports.map((p: Obj) => `${p.name}:${p.port}`).join(','),
    s.endpoints.map((e: Obj) => e.targetRef.name)]));
  assert.deepEqual(byPorts, { 'http:8080,metrics:9090': ['p1', 'p2'], 'http:9000,metrics:9090': ['p3'], 'metrics:9090': ['p4'] });
});

test('slices hold at most 100 endpoints: 250 pods make 100 + 100 + 50', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`p${i}`, { ip: `10.1.${Math.floor(i / 200)}.${i % 200}` }));
  const plan = planEndpointSlices(input(svc(), pods));
  assert.deepEqual(plan.create.map((s) => s.endpoints.length), [100, 100, 50]);
  assert.equal(new Set(plan.create.flatMap((s) => s.endpoints.map((e: Obj) => e.targetRef.name))).size, 250);
});

test('updates touch only the slices whose endpoints changed', () => {
  const pods = Array.from({ length: 150 }, (_, i) => pod(`p${i}`, { ip: `10.2.0.${i}` }));
  const first = stored(planEndpointSlices(input(svc(), pods)).create);
  assert.deepEqual(first.map((s) => s.endpoints.length), [100, 50]);
  assert.deepEqual(planEndpointSlices(input(svc(), pods, first)), { create: [], update: [], delete: [], errors: [] }, 'steady state is a no-op');

  // One pod of the full slice turns unready: that slice alone is updated.
  const full = first[0];
  const changed = full.endpoints[3].targetRef.name;
  const unready = pods.map((p) => (p.metadata.name === changed ? pod(changed, { ready: false, ip: p.status.podIP }) : p));
  const plan = planEndpointSlices(input(svc(), unready, first));
  assert.deepEqual([plan.create.length, plan.delete.length], [0, 0]);
  assert.deepEqual(plan.update.map((s) => s.metadata.name), [full.metadata.name]);
  assert.equal(plan.update[0].endpoints.find((e: Obj) => e.targetRef.name === changed).conditions.ready, false);

  // A new pod goes into the slice with room, no new slice.
  const added = planEndpointSlices(input(svc(), [...pods, pod('p999', { ip: '10.3.0.1' })], first));
  assert.deepEqual([added.create.length, added.delete.length], [0, 0]);
  assert.deepEqual(added.update.map((s) => [s.metadata.name, s.endpoints.length]), [[first[1].metadata.name, 51]]);

  // Removing every pod of the small slice deletes it (the full one remains: no placeholder).
  const fewer = pods.filter((p) => !first[1].endpoints.some((e: Obj) => e.targetRef.name === p.metadata.name));
  const shrunk = planEndpointSlices(input(svc(), fewer, first));
  assert.deepEqual([shrunk.create.length, shrunk.update.length], [0, 0]);
  assert.deepEqual(shrunk.delete.map((s) => s.metadata.name), [first[1].metadata.name]);
});

test('a service without endpoints keeps one empty placeholder slice, and pods appearing reuse its name', () => {
  const empty = planEndpointSlices(input(svc(), []));
  assert.equal(empty.create.length, 1);
  assert.deepEqual([empty.create[0].endpoints, empty.create[0].ports], [[], []]);
  const placeholder = stored(empty.create);
  assert.deepEqual(planEndpointSlices(input(svc(), [], placeholder)), { create: [], update: [], delete: [], errors: [] });

  // Pods appear: the placeholder's name is reused by an update instead of delete + create.
  const filled = planEndpointSlices(input(svc(), [pod('p1')], placeholder));
  assert.deepEqual([filled.create.length, filled.delete.length], [0, 0]);
  assert.equal(filled.update[0].metadata.name, placeholder[0].metadata.name);
  assert.deepEqual(filled.update[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
});

test('slices of other owners or address types are deleted; service labels are copied; headless services are labelled', () => {
  const foreign = { metadata: { name: 'old', namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'Service', uid: 'other' }] },
    addressType: 'IPv4', endpoints: [], ports: [] };
  const v6 = { ...foreign, metadata: { ...foreign.metadata, name: 'v6' }, addressType: 'IPv6' };
  const plan = planEndpointSlices(input(svc({ clusterIP: 'None' }, { team: 'a', [ServiceNameLabel]: 'spoof' }), [pod('p1')], [foreign, v6]));
  assert.deepEqual(plan.delete.map((s) => s.metadata.name).sort(), ['old', 'v6']);
  assert.deepEqual(plan.update, [], 'a slice of another owner is never reused');
  assert.equal(plan.create.length, 1);
  assert.deepEqual(plan.create[0].metadata.labels,
    { team: 'a', 'service.kubernetes.io/headless': '', [ServiceNameLabel]: 'web', [ManagedByLabel]: ControllerName });
});

test('a pod on a missing node is left out and reported, unless addresses are published regardless', () => {
  const plan = planEndpointSlices(input(svc(), [pod('p1'), pod('p2', { node: 'gone' })]));
  assert.deepEqual(plan.create[0].endpoints.map((e: Obj) => e.targetRef.name), ['p1']);
  assert.match(plan.errors[0], /skipping Pod p2 for Service ns\/web: node "gone" not found/);
  const published = planEndpointSlices(input(svc({ publishNotReadyAddresses: true }), [pod('p2', { node: 'gone' })]));
  assert.deepEqual([published.create[0].endpoints.length, published.errors.length], [1, 0]);
});
