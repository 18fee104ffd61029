/** @module Tests of the generated definitions and of SchemaLookup / child / itemOf over them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allTypes, apiVersionOf } from '../scheme.js';
import { child, definitions, itemOf, schemas } from './schema.js';
import type { Schema } from './schema-types.js';

const core = 'io.k8s.api.core.v1';
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const field = (def: string, name: string) => definitions[def]?.properties?.[name];

describe('definitions', () => {
  test('every kind in the scheme, and its list, has a schema with its GVK', () => {
    for (const t of allTypes()) {
      for (const kind of [t.kind, `${t.kind}List`]) {
        const s = schemas.forKind(apiVersionOf(t), kind);
        assert.ok(s, `${apiVersionOf(t)} ${kind}`);
        assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: t.group, version: t.version, kind }]);
      }
    }
  });

  test('the schemas kubectl explain walks carry upstream descriptions', () => {
    assert.match(definitions['io.k8s.api.apps.v1.Deployment'].description!, /^Deployment enables declarative updates/);
    assert.match(field('io.k8s.api.apps.v1.DeploymentSpec', 'replicas')!.description!, /^Number of desired pods/);
    assert.match(field(`${core}.PodSpec`, 'containers')!.description!, /^List of containers belonging to the pod/);
    assert.match(field(`${core}.Container`, 'image')!.description!, /container image/i);
    assert.match(definitions[`${meta}.ObjectMeta`].description!, /ObjectMeta is metadata/);
  });

  test('scalar types are named as upstream', () => {
    assert.deepEqual({ ...definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], description: undefined },
      { description: undefined, type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true });
    assert.equal(definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
    assert.equal(definitions[`${meta}.Time`].format, 'date-time');
    assert.equal(field(`${core}.ServicePort`, 'targetPort')!.$ref, '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  });

  test('meta types, Scale, Eviction and Binding are present', () => {
    for (const name of [`${meta}.ListMeta`, `${meta}.Status`, `${meta}.DeleteOptions`, `${meta}.WatchEvent`, `${meta}.Patch`,
      `${meta}.APIResourceList`, 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.api.policy.v1.Eviction', `${core}.Binding`]) {
      assert.ok(definitions[name], name);
    }
    assert.ok(schemas.forKind('autoscaling/v1', 'Scale'));
    assert.ok(definitions[`${meta}.DeleteOptions`]['x-kubernetes-group-version-kind']!.some((g) => g.group === 'apps'));
  });

  const patchCases: { def: string; field: string; want: Partial<Schema> }[] = [
    { def: `${core}.PodSpec`, field: 'containers', want: { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] } },
    { def: `${core}.PodSpec`, field: 'initContainers', want: { 'x-kubernetes-patch-merge-key': 'name' } },
    { def: `${core}.PodSpec`, field: 'ephemeralContainers', want: { 'x-kubernetes-patch-merge-key': 'name' } },
    { def: `${core}.PodSpec`, field: 'volumes', want: { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys' } },
    { def: `${core}.PodSpec`, field: 'imagePullSecrets', want: { 'x-kubernetes-patch-merge-key': 'name' } },
    { def: `${core}.PodSpec`, field: 'hostAliases', want: { 'x-kubernetes-patch-merge-key': 'ip' } },
    { def: `${core}.PodSpec`, field: 'tolerations', want: { 'x-kubernetes-list-type': 'atomic' } },
    { def: `${core}.PodSpec`, field: 'topologySpreadConstraints', want: { 'x-kubernetes-patch-merge-key': 'topologyKey', 'x-kubernetes-list-map-keys': ['topologyKey', 'whenUnsatisfiable'] } },
    { def: `${core}.PodSpec`, field: 'resourceClaims', want: { 'x-kubernetes-patch-strategy': 'merge,retainKeys' } },
    { def: `${core}.Container`, field: 'ports', want: { 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] } },
    { def: `${core}.Container`, field: 'env', want: { 'x-kubernetes-patch-merge-key': 'name' } },
    { def: `${core}.Container`, field: 'envFrom', want: { 'x-kubernetes-list-type': 'atomic' } },
    { def: `${core}.Container`, field: 'volumeMounts', want: { 'x-kubernetes-patch-merge-key': 'mountPath' } },
    { def: `${core}.EphemeralContainer`, field: 'env', want: { 'x-kubernetes-patch-merge-key': 'name' } },
    { def: `${core}.ServiceSpec`, field: 'ports', want: { 'x-kubernetes-patch-merge-key': 'port', 'x-kubernetes-list-map-keys': ['port', 'protocol'] } },
    { def: `${core}.PodStatus`, field: 'conditions', want: { 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-list-type': 'map' } },
    { def: `${core}.NodeStatus`, field: 'addresses', want: { 'x-kubernetes-patch-merge-key': 'type' } },
    { def: 'io.k8s.api.apps.v1.DeploymentStatus', field: 'conditions', want: { 'x-kubernetes-patch-merge-key': 'type' } },
    { def: 'io.k8s.api.apps.v1.DeploymentSpec', field: 'strategy', want: { 'x-kubernetes-patch-strategy': 'retainKeys' } },
    { def: 'io.k8s.api.batch.v1.JobStatus', field: 'conditions', want: { 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-list-type': 'atomic' } },
    { def: `${meta}.ObjectMeta`, field: 'finalizers', want: { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' } },
    { def: `${meta}.ObjectMeta`, field: 'ownerReferences', want: { 'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-list-map-keys': ['uid'] } },
  ];
  for (const c of patchCases) {
    test(`${c.def.split('.').pop()}.${c.field} carries upstream's patch metadata`, () => {
      const f = field(c.def, c.field);
      assert.ok(f);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(f[k as keyof Schema], v, k);
    });
  }

  test('list items of *List kinds are not marked atomic', () => {
    assert.equal(field('io.k8s.api.apps.v1.DeploymentList', 'items')!['x-kubernetes-list-type'], undefined);
  });
});

describe('lookup helpers', () => {
  test('forKind returns undefined for unknown kinds', () => {
    assert.equal(schemas.forKind('apps/v1', 'Nope'), undefined);
    assert.equal(schemas.forKind('v2', 'Pod'), undefined);
  });

  test('child and itemOf walk from a Deployment down to a container port, keeping field metadata', () => {
    const deploy = schemas.forKind('apps/v1', 'Deployment')!;
    const spec = child(deploy, 'spec')!;
    assert.match(spec.description!, /desired behavior of the Deployment/);
    assert.ok(spec.properties?.replicas);
    const podSpec = child(child(spec, 'template')!, 'spec')!;
    const containers = child(podSpec, 'containers')!;
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    const container = itemOf(containers)!;
    assert.ok(container.properties?.image);
    assert.equal(child(container, 'ports')!['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.equal(itemOf(child(container, 'ports')!)!.required?.includes('containerPort'), true);
    assert.equal(child(container, 'nope'), undefined);
    assert.equal(itemOf(container), undefined);
  });

  test('child of a map schema is its value schema', () => {
    const labels = child(child(schemas.forKind('v1', 'Pod')!, 'metadata')!, 'labels')!;
    assert.deepEqual(child(labels, 'app.kubernetes.io/name'), { type: 'string' });
    const limits = child(child(itemOf(child(child(schemas.forKind('v1', 'Pod')!, 'spec')!, 'containers')!)!, 'resources')!, 'limits')!;
    assert.equal(child(limits, 'cpu')!.type, 'string');
  });

  test('resolve follows $ref and single allOf', () => {
    const target = definitions[`${meta}.ObjectMeta`];
    assert.equal(schemas.resolve({ $ref: `#/definitions/${meta}.ObjectMeta` }), target);
    assert.equal(schemas.resolve({ allOf: [{ $ref: `#/components/schemas/${meta}.ObjectMeta` }] }), target);
    assert.throws(() => schemas.resolve({ $ref: '#/definitions/nope' }), /unknown schema/);
  });
});
