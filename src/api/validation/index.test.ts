/** @module Tests for the entry points: metadata rules for every kind, and the smaller kinds' own rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from './index.js';
import { errorsOf, statusErrorsOf } from './testing.js';

const ns = { namespace: 'default' };

const cases: { name: string; apiVersion: string; kind: string; obj: any; want: string[] }[] = [
  { name: 'a cluster-scoped object may not have a namespace', apiVersion: 'v1', kind: 'Node', obj: { metadata: { name: 'n1', namespace: 'x' } },
    want: ['metadata.namespace: Forbidden: not allowed on this type'] },
  { name: 'a namespace name must be a DNS label', apiVersion: 'v1', kind: 'Namespace', obj: { metadata: { name: 'a.b' } },
    want: ['metadata.name: Invalid value: "a.b": must not contain dots'] },
  { name: 'a generateName is checked with its trailing dash allowed', apiVersion: 'v1', kind: 'ConfigMap', obj: { metadata: { generateName: 'Cfg-', ...ns } },
    want: [`metadata.generateName: Invalid value: "Cfg-": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'metadata.name: Required value: name or generateName is required'] },
  { name: 'a label value longer than 63 characters is reported on the labels map', apiVersion: 'v1', kind: 'ConfigMap',
    obj: { metadata: { name: 'c', ...ns, labels: { app: 'x'.repeat(64) } } },
    want: [`metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`] },
  { name: 'annotations over 256 KiB are too long', apiVersion: 'v1', kind: 'ConfigMap',
    obj: { metadata: { name: 'c', ...ns, annotations: { a: 'x'.repeat(256 * 1024) } } },
    want: ['metadata.annotations: Too long: may not be more than 262144 bytes'] },
  { name: 'an unqualified finalizer must be a standard one', apiVersion: 'v1', kind: 'ConfigMap',
    obj: { metadata: { name: 'c', ...ns, finalizers: ['custom'] } },
    want: ['metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'] },
  { name: 'only one owner may be the controller', apiVersion: 'v1', kind: 'ConfigMap',
    obj: { metadata: { name: 'c', ...ns, ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true }] } },
    want: ['metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b'] },
  { name: 'a node taint needs an effect', apiVersion: 'v1', kind: 'Node', obj: { metadata: { name: 'n1' }, spec: { taints: [{ key: 'k' }] } },
    want: ['spec.taints[0].effect: Required value'] },
  { name: 'a claim needs an access mode and a storage request', apiVersion: 'v1', kind: 'PersistentVolumeClaim', obj: { metadata: { name: 'c', ...ns }, spec: {} },
    want: ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value'] },
  { name: 'a budget may not set both minAvailable and maxUnavailable', apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    obj: { metadata: { name: 'p', ...ns }, spec: { minAvailable: 1, maxUnavailable: 1 } },
    want: ['spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set'] },
  { name: 'a user priority class may not exceed one billion', apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass',
    obj: { metadata: { name: 'huge' }, value: 2_000_000_000 },
    want: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'] },
  { name: 'system- priority class names are reserved', apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass',
    obj: { metadata: { name: 'system-mine' }, value: 1 },
    want: ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"] },
  { name: 'a lease duration must be positive', apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    obj: { metadata: { name: 'l', ...ns }, spec: { leaseDurationSeconds: 0 } },
    want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'] },
  { name: 'a role rule needs verbs', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
    obj: { metadata: { name: 'r', ...ns }, rules: [{ apiGroups: [''], resources: ['pods'] }] },
    want: ['rules[0].verbs: Required value: verbs must contain at least one value'] },
  { name: 'a cluster role binding must reference a ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
    obj: { metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] },
    want: ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value'] },
  { name: 'an event belongs to its object namespace', apiVersion: 'v1', kind: 'Event',
    obj: { metadata: { name: 'e', ...ns }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } },
    want: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'] },
  { name: 'a volume mount of a hostPath volume with an unknown type is rejected', apiVersion: 'v1', kind: 'PersistentVolume',
    obj: { metadata: { name: 'pv' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/d', type: 'Dir' } } },
    want: ['spec.hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"'] },
];
for (const c of cases) test(c.name, () => assert.deepEqual(errorsOf(c.apiVersion, c.kind, c.obj), c.want));

test('a kind without rules of its own gets the metadata checks', () => {
  const t = { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true };
  assert.deepEqual(validate(t, { metadata: { name: 'ok', namespace: 'default' }, spec: { anything: 1 } }), []);
  assert.equal(validate(t, { metadata: { name: 'ok' } })[0].field, 'metadata.namespace');
});

test('a uid cannot change on update', () => {
  const old = { metadata: { name: 'c', ...ns, uid: 'a' } };
  assert.deepEqual(errorsOf('v1', 'ConfigMap', { metadata: { name: 'c', ...ns, uid: 'b' } }, old), ['metadata.uid: Invalid value: "b": field is immutable']);
});

test('finalizers cannot be added to an object being deleted', () => {
  const old = { metadata: { name: 'c', ...ns, deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['a.io/x'] } };
  const next = { metadata: { ...old.metadata, finalizers: ['a.io/x', 'a.io/y'] } };
  assert.deepEqual(errorsOf('v1', 'ConfigMap', next, old),
    ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a.io/y"}']);
});

test('a namespace status write keeps the phase consistent with deletion', () => {
  const old = { metadata: { name: 'dev' }, status: { phase: 'Active' } };
  assert.deepEqual(statusErrorsOf('v1', 'Namespace', { ...old, status: { phase: 'Terminating' } }, old),
    ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"]);
});

test('a status write may not rename the object', () => {
  const old = { metadata: { name: 'dev' }, status: { phase: 'Active' } };
  assert.deepEqual(statusErrorsOf('v1', 'Namespace', { ...old, metadata: { name: 'prod' } }, old), ['metadata.name: Invalid value: "prod": field is immutable']);
});

test('a toleration key is checked as a label key', () => {
  const pod = { metadata: { name: 'p', ...ns }, spec: { containers: [{ name: 'c', image: 'x:1' }], tolerations: [{ key: 'a b', operator: 'Exists' }] } };
  assert.deepEqual(errorsOf('v1', 'Pod', pod), [`spec.tolerations[0].key: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`]);
});
