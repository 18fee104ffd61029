/** @module Tests of /openapi/v2 as gnostic protobuf: the bytes decoded back with the wire reader. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYAML } from 'yaml';
import { readFields, type WireField } from '../../apimachinery/protobuf/wire.js';
import { encodeOpenAPIv2, openapiV2Protobuf, protobufAccepted } from './v2-protobuf.js';

type Msg = WireField[];
const msg = (b: Buffer): Msg => readFields(b);
const all = (m: Msg, n: number) => m.filter((f) => f.num === n).map((f) => f.value as Buffer);
const one = (m: Msg, n: number) => { const v = all(m, n); assert.equal(v.length, 1, `field ${n}`); return v[0]; };
const str = (m: Msg, n: number) => all(m, n).map((b) => b.toString('utf8'));
/** Repeated Named* {name = 1, value = 2} as a map, in wire order. */
const named = (m: Msg, n: number) => new Map(all(m, n).map((b) => { const e = msg(b); return [str(e, 1)[0], one(e, 2)]; }));
/** NamedAny vendor extensions: name → the Any's YAML parsed. */
const extensions = (m: Msg, n: number) => new Map([...named(m, n)].map(([k, any]) => [k, parseYAML(str(msg(any), 2)[0])]));

const doc = msg(openapiV2Protobuf());
const definitions = named(msg(one(doc, 9)), 1);
const schema = (name: string) => { const b = definitions.get(name); assert.ok(b, name); return msg(b); };
const properties = (s: Msg) => named(msg(one(s, 25)), 1);

test('the document header and every definition', () => {
  assert.deepEqual(str(doc, 1), ['2.0']);
  assert.deepEqual(str(msg(one(doc, 2)), 1), ['Kubernetes']);
  assert.ok(definitions.size > 300);
  assert.equal(openapiV2Protobuf(), openapiV2Protobuf(), 'built once');
});

test('a kind\'s schema: GVK extension, type, required, properties with $refs', () => {
  const deployment = schema('io.k8s.api.apps.v1.Deployment');
  assert.deepEqual(extensions(deployment, 31).get('x-kubernetes-group-version-kind'), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(str(msg(one(deployment, 22)), 1), ['object']);
  assert.deepEqual(str(msg(properties(deployment).get('spec')!), 1), ['#/definitions/io.k8s.api.apps.v1.DeploymentSpec']);
  assert.match(str(deployment, 4)[0], /^Deployment enables declarative updates/);
  assert.deepEqual(extensions(schema('io.k8s.api.core.v1.ConfigMap'), 31).get('x-kubernetes-group-version-kind'),
    [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  assert.ok(str(schema('io.k8s.api.apps.v1.DeploymentSpec'), 19).includes('selector'));
});

test('patch metadata, list extensions, items and additionalProperties', () => {
  const ports = msg(properties(schema('io.k8s.api.core.v1.Container')).get('ports')!);
  const ext = extensions(ports, 31);
  assert.equal(ext.get('x-kubernetes-patch-merge-key'), 'containerPort');
  assert.equal(ext.get('x-kubernetes-patch-strategy'), 'merge');
  assert.equal(ext.get('x-kubernetes-list-type'), 'map');
  assert.deepEqual(ext.get('x-kubernetes-list-map-keys'), ['containerPort', 'protocol']);
  const item = msg(one(msg(one(ports, 23)), 1));
  assert.deepEqual(str(item, 1), ['#/definitions/io.k8s.api.core.v1.ContainerPort']);
  const data = msg(properties(schema('io.k8s.api.core.v1.ConfigMap')).get('data')!);
  const additional = msg(one(msg(one(data, 21)), 1));
  assert.deepEqual(str(msg(one(additional, 22)), 1), ['string']);
  assert.equal(extensions(schema('io.k8s.apimachinery.pkg.util.intstr.IntOrString'), 31).get('x-kubernetes-int-or-string'), true);
});

test('paths: operations, body/query/path parameters and the operation GVK', () => {
  const item = msg(named(msg(one(doc, 8)), 2).get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!);
  const patch = msg(one(item, 8));
  assert.equal(str(patch, 5)[0], 'patchAppsV1NamespacedDeployment');
  assert.deepEqual(extensions(patch, 13).get('x-kubernetes-group-version-kind'), { group: 'apps', kind: 'Deployment', version: 'v1' });
  const params = all(patch, 8).map((p) => msg(one(msg(p), 1))); // ParametersItem.parameter
  const body = msg(one(params[0], 1)); // Parameter.body_parameter
  assert.deepEqual([str(body, 2), str(body, 3)], [['body'], ['body']]);
  assert.deepEqual(str(msg(one(body, 5)), 1), ['#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch']);
  const queries = params.slice(1).map((p) => msg(one(msg(one(p, 2)), 3))); // NonBodyParameter.query_parameter_sub_schema
  assert.ok(queries.some((q) => str(q, 4)[0] === 'fieldValidation' && str(q, 2)[0] === 'query' && str(q, 6)[0] === 'string'));
  const nonBody = all(item, 9).map((p) => msg(one(msg(one(msg(p), 1)), 2))); // PathItem.parameters: name, namespace, pretty
  const pathParams = nonBody.filter((p) => all(p, 4).length).map((p) => msg(one(p, 4))); // path_parameter_sub_schema
  assert.deepEqual(pathParams.map((p) => str(p, 4)[0]), ['name', 'namespace']);
  assert.ok(pathParams.every((p) => p.find((f) => f.num === 1)?.value === 1n), 'required');
  const ok = msg(named(msg(one(patch, 9)), 1).get('200')!); // ResponseValue
  const schemaRef = msg(one(msg(one(msg(one(ok, 1)), 2)), 1)); // Response.schema → SchemaItem.schema
  assert.deepEqual(str(schemaRef, 1), ['#/definitions/io.k8s.api.apps.v1.Deployment']);
});

test('the security definition and requirement', () => {
  const bearer = msg(one(msg(named(msg(one(doc, 13)), 1).get('BearerToken')!), 2)); // api_key_security
  assert.deepEqual([str(bearer, 1), str(bearer, 2), str(bearer, 3)], [['apiKey'], ['authorization'], ['header']]);
  assert.deepEqual([...named(msg(one(doc, 12)), 1).keys()], ['BearerToken']);
});

test('an unknown property is an error, not a silently dropped field', () => {
  assert.throws(() => encodeOpenAPIv2({ swagger: '2.0', definitions: { X: { type: 'object', nullable: true } } }), /"nullable"/);
});

test('Accept: protobuf only when asked and JSON is not acceptable', () => {
  assert.equal(protobufAccepted('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), true);
  assert.equal(protobufAccepted('application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), true);
  assert.equal(protobufAccepted('application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json'), false);
  assert.equal(protobufAccepted('application/json'), false);
  assert.equal(protobufAccepted(undefined), false);
});
