import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemas } from '../../api/openapi/schema.js';
import { StatusError } from '../errors.js';
import type { JSONObject } from '../patch/json.js';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch.js';
import { apply } from './apply.js';
import { updateManagedFields } from './update.js';

// The generated apps/v1 schema, end to end: a Deployment through SMP, update tracking and apply.
const T1 = '2024-05-01T10:00:00Z';
const T2 = '2024-05-01T11:00:00Z';
const applyOpts = { schemas, apiVersion: 'apps/v1', kind: 'Deployment', time: T1 };

const manifest = (replicas: number, image: string): JSONObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'nginx', labels: { app: 'nginx' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] },
    },
  },
});
const containers = (o: JSONObject) => (o.spec as any).template.spec.containers as JSONObject[];

test('the real Deployment schema merges containers by name in a strategic merge patch', () => {
  const live = manifest(1, 'nginx:1');
  containers(live).push({ name: 'sidecar', image: 'busybox' });
  const got = applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:2' }] } } } },
    { schemas, apiVersion: 'apps/v1', kind: 'Deployment' });
  assert.deepEqual(containers(got).map((c) => [c.name, c.image]), [['nginx', 'nginx:2'], ['sidecar', 'busybox']]);
});

test('the real Deployment schema keys containers and ports in FieldsV1', () => {
  const { managedFields } = apply(undefined, manifest(2, 'nginx:1'), { ...applyOpts, manager: 'kubectl' });
  const tmplSpec = (managedFields[0].fieldsV1 as any)['f:spec']['f:template']['f:spec'];
  assert.deepEqual(tmplSpec, {
    'f:containers': {
      'k:{"name":"nginx"}': {
        '.': {}, 'f:image': {}, 'f:name': {},
        'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
      },
    },
  });
  assert.deepEqual((managedFields[0].fieldsV1 as any)['f:spec']['f:selector'], {});
});

test('an applied port without protocol matches the defaulted live port', () => {
  const created = apply(undefined, manifest(2, 'nginx:1'), { ...applyOpts, manager: 'kubectl' }).object;
  (containers(created)[0].ports as JSONObject[])[0].protocol = 'TCP';
  const again = apply(created, manifest(2, 'nginx:1'), { ...applyOpts, manager: 'kubectl', time: T2 }).object;
  assert.deepEqual(containers(again)[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
});

test('the real Deployment schema reports a conflict with a scale on .spec.replicas', () => {
  const created = apply(undefined, manifest(2, 'nginx:1'), { ...applyOpts, manager: 'kubectl' }).object;
  const scaled = structuredClone(created);
  (scaled.spec as JSONObject).replicas = 4;
  const live = updateManagedFields(created, scaled, { manager: 'kubectl', apiVersion: 'apps/v1', subresource: 'scale', time: T2, schemas }).object;
  assert.throws(() => apply(live, manifest(3, 'nginx:1'), { ...applyOpts, manager: 'kubectl', time: T2 }), (e: unknown) =>
    e instanceof StatusError && e.code === 409 &&
    e.status.message === 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
});
