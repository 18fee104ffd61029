/** @module Tests of the Swagger 2.0 document. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openapiV2Document } from './v2.js';

const doc = JSON.parse(openapiV2Document().body.toString());

test('is a Swagger 2.0 document whose refs all resolve', () => {
  assert.equal(doc.swagger, '2.0');
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') assert.ok(doc.definitions[String(x).replace('#/definitions/', '')], String(x));
        else walk(x);
      }
    }
  };
  walk(doc);
});

test('patch operations consume the patch types and list fieldValidation', () => {
  const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.deepEqual(patch.parameters.map((p: { name: string }) => p.name),
    ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force']);
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
});

test('serves every group version\'s paths in one document', () => {
  assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments']);
  assert.ok(doc.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}']);
  assert.equal(openapiV2Document(), openapiV2Document(), 'built once');
});
