import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JSONObject } from '../patch/json.js';
import { deploymentLookup } from './testing.js';
import { managerFromUserAgent, updateManagedFields } from './update.js';

const T1 = '2024-05-01T10:00:00Z';
const T2 = '2024-05-01T11:00:00Z';
const base = (o: Partial<Parameters<typeof updateManagedFields>[2]> = {}) =>
  ({ manager: 'kubectl-create', apiVersion: 'apps/v1', time: T1, schemas: deploymentLookup, ...o });

const deployment: JSONObject = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1', ports: [{ containerPort: 80 }], resources: {} }] } },
  },
};

test('create gives the creator every field it set, with maps and list items owning themselves', () => {
  const { managedFields, object } = updateManagedFields(undefined, deployment, base());
  assert.deepEqual(managedFields, [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {},
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    },
  }]);
  assert.deepEqual((object.metadata as JSONObject).managedFields, managedFields);
});

test('an update takes changed fields from their previous owner and leaves the rest', () => {
  const created = updateManagedFields(undefined, deployment, base()).object;
  const edited = structuredClone(created);
  ((edited.spec as JSONObject).template as any).spec.containers[0].image = 'nginx:2';
  const { managedFields } = updateManagedFields(created, edited, base({ manager: 'kubectl-edit', time: T2 }));
  assert.deepEqual(managedFields.map((e) => [e.manager, e.time]), [['kubectl-create', T1], ['kubectl-edit', T2]]);
  assert.deepEqual(managedFields[1].fieldsV1, {
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {} } } } } },
  });
  const creator = JSON.stringify(managedFields[0].fieldsV1);
  assert.ok(!creator.includes('f:image') && creator.includes('f:replicas'));
});

test('a scale writes an entry for the scale subresource', () => {
  const created = updateManagedFields(undefined, deployment, base()).object;
  const scaled = structuredClone(created);
  (scaled.spec as JSONObject).replicas = 5;
  const { managedFields } = updateManagedFields(created, scaled, base({ manager: 'kubectl', subresource: 'scale', time: T2 }));
  assert.deepEqual(managedFields[1], {
    manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: T2, fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } }, subresource: 'scale',
  });
});

test('a write that changes nothing keeps entries and times as they were', () => {
  const created = updateManagedFields(undefined, deployment, base()).object;
  const { managedFields } = updateManagedFields(created, structuredClone(created), base({ manager: 'other', time: T2 }));
  assert.deepEqual(managedFields, (created.metadata as JSONObject).managedFields);
});

test('removing a field takes it from its owner', () => {
  const created = updateManagedFields(undefined, deployment, base()).object;
  const edited = structuredClone(created);
  delete (edited.metadata as JSONObject).labels;
  const { managedFields } = updateManagedFields(created, edited, base({ manager: 'kubectl-edit', time: T2 }));
  assert.equal(managedFields.length, 1);
  assert.ok(!('f:metadata' in managedFields[0].fieldsV1));
});

test('managedFields sent by the client replace the stored ones, and [{}] clears them', () => {
  const created = updateManagedFields(undefined, deployment, base()).object;
  const sent = structuredClone(created);
  (sent.metadata as JSONObject).managedFields = [{ manager: 'someone', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
  assert.deepEqual(updateManagedFields(created, sent, base({ manager: 'x' })).managedFields.map((e) => e.manager), ['someone']);
  (sent.metadata as JSONObject).managedFields = [{}];
  const cleared = updateManagedFields(created, sent, base({ manager: 'x' }));
  assert.deepEqual(cleared.managedFields, []);
  assert.ok(!('managedFields' in (cleared.object.metadata as JSONObject)));
});

const agents: { name: string; ua: string; want: string }[] = [
  { name: 'kubectl is named by its user agent prefix', ua: 'kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9', want: 'kubectl' },
  { name: 'client-go programs are named by their binary', ua: 'kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/70d3cc9/system:serviceaccount:kube-system:deployment-controller', want: 'kube-controller-manager' },
  { name: 'unprintable characters are dropped', ua: 'my\u0007tool/1.0', want: 'mytool' },
  { name: 'names are cut to 128 bytes', ua: 'x'.repeat(200), want: 'x'.repeat(128) },
  { name: 'an empty user agent gives an empty manager', ua: '', want: '' },
];
for (const c of agents) test(c.name, () => assert.equal(managerFromUserAgent(c.ua), c.want));
