import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import type { JSONObject } from '../patch/json.js';
import { apply, LAST_APPLIED_ANNOTATION, type ApplyOptions } from './apply.js';
import { deploymentLookup } from './testing.js';
import { updateManagedFields } from './update.js';

const T1 = '2024-05-01T10:00:00Z';
const T2 = '2024-05-01T11:00:00Z';
const T3 = '2024-05-01T12:00:00Z';
const opts = (o: Partial<ApplyOptions> = {}): ApplyOptions =>
  ({ manager: 'kubectl', schemas: deploymentLookup, apiVersion: 'apps/v1', kind: 'Deployment', time: T1, ...o });

const config = (replicas: number, labels: Record<string, string> = { app: 'web' }, image = 'nginx:1'): JSONObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } },
  },
});
const spec = (o: JSONObject) => o.spec as JSONObject;
const meta = (o: JSONObject) => o.metadata as JSONObject;
const containers = (o: JSONObject) => (spec(o).template as any).spec.containers as JSONObject[];

test('apply on create owns the applied fields, without apiVersion, kind or name', () => {
  const { object, managedFields } = apply(undefined, config(2), opts());
  assert.deepEqual(managedFields, [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {}, 'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    },
  }]);
  assert.deepEqual({ ...object, metadata: { ...meta(object), managedFields: undefined } },
    { ...config(2), metadata: { ...meta(config(2)), managedFields: undefined } });
});

test('re-applying with a changed field updates it and the entry time', () => {
  const first = apply(undefined, config(2), opts()).object;
  const { object, managedFields } = apply(first, config(4), opts({ time: T2 }));
  assert.equal(spec(object).replicas, 4);
  assert.deepEqual(managedFields.map((e) => e.time), [T2]);
});

test('re-applying the same configuration changes nothing', () => {
  const first = apply(undefined, config(2), opts()).object;
  const again = apply(first, config(2), opts({ time: T2 })).object;
  assert.deepEqual(again, first);
});

test('a field the applier no longer applies is removed', () => {
  const first = apply(undefined, config(2, { app: 'web', tier: 'front' }), opts()).object;
  const { object, managedFields } = apply(first, config(2), opts({ time: T2 }));
  assert.deepEqual(meta(object).labels, { app: 'web' });
  assert.deepEqual(managedFields[0].fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
});

test('a dropped field that another manager also owns stays, owned by that manager', () => {
  const first = apply(undefined, config(2, { app: 'web', tier: 'front' }), opts()).object;
  const second = apply(first, config(2, { tier: 'front' }), opts({ manager: 'other', time: T2 })).object;
  const { object, managedFields } = apply(second, config(2, { app: 'web' }), opts({ time: T3 }));
  assert.deepEqual(meta(object).labels, { app: 'web', tier: 'front' });
  assert.deepEqual(managedFields.map((e) => e.manager), ['kubectl', 'other']);
});

test('applying a label emptied by pruning removes the labels map too', () => {
  const first = apply(undefined, { ...config(2, { tier: 'front' }) }, opts()).object;
  const next = config(2);
  delete (next.metadata as JSONObject).labels;
  const { object } = apply(first, next, opts({ time: T2 }));
  assert.ok(!('labels' in meta(object)));
});

test('a removed container goes; a container another manager added stays in place', () => {
  let obj = apply(undefined, config(2), opts()).object;
  const withSidecar = structuredClone(obj);
  containers(withSidecar).unshift({ name: 'sidecar', image: 'busybox' });
  obj = updateManagedFields(obj, withSidecar, { manager: 'injector', apiVersion: 'apps/v1', time: T2, schemas: deploymentLookup }).object;
  const next = config(2);
  (next.spec as any).template.spec.containers.push({ name: 'logger', image: 'fluent' });
  obj = apply(obj, next, opts({ time: T3 })).object;
  assert.deepEqual(containers(obj).map((c) => c.name), ['sidecar', 'nginx', 'logger']);
  const dropped = config(2);
  (dropped.spec as any).template.spec.containers = [{ name: 'logger', image: 'fluent' }];
  obj = apply(obj, dropped, opts({ time: T3 })).object;
  assert.deepEqual(containers(obj).map((c) => c.name), ['sidecar', 'logger']);
});

/** A deployment applied by kubectl and then scaled through the scale subresource. */
function appliedThenScaled(): JSONObject {
  const created = apply(undefined, config(2), opts()).object;
  const scaled = structuredClone(created);
  spec(scaled).replicas = 5;
  return updateManagedFields(created, scaled,
    { manager: 'kubectl', apiVersion: 'apps/v1', subresource: 'scale', time: T2, schemas: deploymentLookup }).object;
}

test('applying replicas after kubectl scale is a conflict worded as upstream', () => {
  assert.throws(() => apply(appliedThenScaled(), config(3), opts({ time: T3 })), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.deepEqual(e.status, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 409, reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl" with subresource "scale" using apps/v1', field: '.spec.replicas' }] },
    });
    return true;
  });
});

test('applying the value the other manager set is no conflict, and both own it', () => {
  const { managedFields } = apply(appliedThenScaled(), config(5), opts({ time: T3 }));
  for (const e of managedFields) assert.ok('f:replicas' in (e.fieldsV1['f:spec'] as JSONObject), e.manager);
});

test('--force-conflicts takes the field from the other manager', () => {
  const { object, managedFields } = apply(appliedThenScaled(), config(3), opts({ force: true, time: T3 }));
  assert.equal(spec(object).replicas, 3);
  assert.deepEqual(managedFields.map((e) => [e.manager, e.operation]), [['kubectl', 'Apply']]);
});

test('conflicts with several fields list them under their manager', () => {
  const created = apply(undefined, config(2), opts({ manager: 'ci' })).object;
  assert.throws(() => apply(created, config(3, { app: 'web' }, 'nginx:2'), opts({ manager: 'dev', time: T2 })), (e: unknown) => {
    assert.ok(e instanceof StatusError && e.code === 409);
    assert.equal(e.status.message, 'Apply failed with 2 conflicts: conflicts with "ci":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
    assert.deepEqual(e.status.details?.causes?.map((c) => c.field), ['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image']);
    return true;
  });
});

/** What `kubectl apply` (client-side) leaves: fields owned by kubectl-client-side-apply and the annotation. */
function clientSideApplied(): JSONObject {
  const cfg = config(2);
  const annotated = structuredClone(cfg);
  meta(annotated).annotations = { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(cfg)}\n` };
  return updateManagedFields(undefined, annotated,
    { manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', time: T1, schemas: deploymentLookup }).object;
}

test('kubectl apply --server-side after client-side apply takes over without conflicts', () => {
  const { object, managedFields } = apply(clientSideApplied(), config(3), opts({ time: T2 }));
  assert.equal(spec(object).replicas, 3);
  const annotation = (meta(object).annotations as JSONObject)[LAST_APPLIED_ANNOTATION] as string;
  assert.equal(JSON.parse(annotation).spec.replicas, 3, 'the last-applied annotation follows the server-side apply');
  assert.deepEqual(managedFields.map((e) => e.manager), ['kubectl', 'kubectl-client-side-apply']);
});

test('another applier conflicts with fields set by client-side apply', () => {
  assert.throws(() => apply(clientSideApplied(), config(3), opts({ manager: 'helm', time: T2 })), (e: unknown) =>
    e instanceof StatusError &&
    e.status.message === 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
});

test('an object without managedFields is owned by before-first-apply when first applied', () => {
  const plain = config(2);
  assert.throws(() => apply(plain, config(3), opts({ manager: 'helm' })), (e: unknown) =>
    e instanceof StatusError &&
    e.status.message === 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
});

test('an apply in another version of the kind is 400', () => {
  assert.throws(() => apply(undefined, { ...config(1), apiVersion: 'apps/v1beta1' }, opts()), (e: unknown) =>
    e instanceof StatusError && e.code === 400 &&
    e.status.message === 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1');
});
