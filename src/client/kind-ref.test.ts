/** @module kind-ref: kinds and objects to ResourceRefs through the scheme. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ref, refForObject } from './kind-ref.js';

const cases: { name: string; got: () => unknown; want: unknown }[] = [
  { name: 'a core kind maps to its v1 resource', got: () => { const r = ref('Pod', 'a'); return [r.type.group, r.type.resource, r.namespace]; }, want: ['', 'pods', 'a'] },
  { name: 'a group kind maps to its group', got: () => ref('Deployment').type.group, want: 'apps' },
  { name: 'a cluster-scoped kind drops the namespace', got: () => ref('Node', 'ignored').namespace, want: undefined },
  { name: 'Event without apiVersion is the core Event', got: () => ref('Event').type.group, want: '' },
  { name: 'Event with apiVersion events.k8s.io/v1 is that group\'s', got: () => ref('Event', 'x', 'events.k8s.io/v1').type.group, want: 'events.k8s.io' },
  { name: 'an object maps through apiVersion, kind and namespace',
    got: () => { const r = refForObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: 'kube-system' } }); return [r.type.resource, r.namespace]; },
    want: ['leases', 'kube-system'] },
];
for (const c of cases) test(c.name, () => assert.deepEqual(c.got(), c.want));

test('an unknown kind throws', () => {
  assert.throws(() => ref('Gizmo'), /no resource of kind "Gizmo"/);
  assert.throws(() => refForObject({ apiVersion: 'v1', kind: 'Deployment' }), /in v1/);
});
