/** @module Tests of the OpenAPI v3 documents and index: self-contained, what kubectl's checks look for, hashed. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { allTypes, groups } from '../scheme.js';
import { gvPathOf } from './operations.js';
import { buildV3Document, openapiV3Document, openapiV3Index, serialize } from './v3.js';

type Doc = { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
const docOf = (gvPath: string): Doc => JSON.parse(openapiV3Document(gvPath)!.body.toString());

/** Every `$ref` anywhere in a JSON value. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k === '$ref' && typeof x === 'string') out.push(x); else refs(x, out);
  }
  return out;
}

const gvPaths = groups().flatMap((g) => g.versions.map((v) => gvPathOf(g.name, v)));

describe('v3 documents', () => {
  for (const gv of gvPaths) {
    test(`${gv} references only schemas it includes`, () => {
      const doc = docOf(gv);
      assert.equal(doc.openapi, '3.0.0');
      for (const r of refs(doc)) {
        assert.match(r, /^#\/components\/schemas\//);
        assert.ok(doc.components.schemas[r.slice('#/components/schemas/'.length)], `${gv}: dangling ${r}`);
      }
    });
  }

  // kubectl's QueryParamVerifierV3: the PATCH operation whose x-kubernetes-group-version-kind (an object)
  // is the kind must list fieldValidation as a query parameter, or kubectl validates client-side from /openapi/v2.
  test('every kind has a PATCH listing dryRun, fieldManager, fieldValidation and force', () => {
    for (const t of allTypes()) {
      const doc = docOf(gvPathOf(t.group, t.version));
      const patches = Object.values(doc.paths).map((p) => p.patch).filter((op) => op &&
        op['x-kubernetes-group-version-kind'].kind === t.kind && op['x-kubernetes-group-version-kind'].group === t.group);
      assert.ok(patches.length, `${t.kind}: no PATCH`);
      for (const op of patches) {
        const query = op.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
        assert.deepEqual(query, ['dryRun', 'fieldManager', 'fieldValidation', 'force'], t.kind);
        assert.ok(op.requestBody.content['application/strategic-merge-patch+json'], t.kind);
        assert.equal(op['x-kubernetes-action'], 'patch');
      }
    }
  });

  test('the deployment paths are upstream\'s', () => {
    const doc = docOf('apis/apps/v1');
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
    assert.equal(item.get.operationId, 'readAppsV1NamespacedDeployment');
    assert.deepEqual(item.parameters.map((p: any) => p.name), ['name', 'namespace', 'pretty']);
    assert.deepEqual(item.put.parameters.map((p: any) => p.name), ['dryRun', 'fieldManager', 'fieldValidation']);
    const create = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].post;
    assert.deepEqual(create.parameters.map((p: any) => p.name), ['dryRun', 'fieldManager', 'fieldValidation']);
    assert.deepEqual(create['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.equal(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch
      ['x-kubernetes-group-version-kind'].kind, 'Scale');
    assert.equal(doc.paths['/apis/apps/v1/deployments'].get.operationId, 'listAppsV1DeploymentForAllNamespaces');
    assert.equal(doc.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments'].get['x-kubernetes-action'], 'watchlist');
    const pods = docOf('api/v1').paths;
    assert.equal(pods['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post.operationId, 'createCoreV1NamespacedPodEviction');
    assert.equal(pods['/api/v1/nodes/{name}'].get.operationId, 'readCoreV1Node');
    assert.equal(pods['/api/v1/namespaces'].delete, undefined, 'namespaces serve no deletecollection');
  });

  test('schemas are in v3 form: field refs wrapped in allOf, kinds tagged with their GVK', () => {
    const s = docOf('apis/apps/v1').components.schemas;
    const spec = s['io.k8s.api.apps.v1.Deployment'].properties.spec;
    assert.deepEqual(spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
    assert.match(spec.description, /desired behavior/);
    assert.deepEqual(s['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'],
      [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    assert.equal(s['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
    assert.deepEqual(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.equal(s['io.k8s.api.batch.v1.Job'], undefined, 'other groups\' kinds stay out');
  });
});

describe('v3 index', () => {
  test('names every group version with the sha512 of its document', () => {
    const index = openapiV3Index();
    assert.deepEqual(Object.keys(index.paths), gvPaths);
    for (const gv of gvPaths) {
      const doc = openapiV3Document(gv)!;
      const hash = createHash('sha512').update(doc.body).digest('hex').toUpperCase();
      assert.equal(index.paths[gv].serverRelativeURL, `/openapi/v3/${gv}?hash=${hash}`);
      assert.equal(doc.etag, `"${hash}"`);
    }
  });

  test('the hash changes when the content does', () => {
    const a = serialize(buildV3Document('apps', 'v1'));
    const changed = buildV3Document('apps', 'v1');
    (changed.info as { version: string }).version = 'changed';
    assert.equal(serialize(buildV3Document('apps', 'v1')).hash, a.hash, 'stable for equal content');
    assert.notEqual(serialize(changed).hash, a.hash);
  });

  test('documents are built once and found with or without a leading slash', () => {
    assert.equal(openapiV3Document('/apis/apps/v1'), openapiV3Document('apis/apps/v1'));
    assert.equal(openapiV3Document('apis/nope/v1'), undefined);
  });
});
