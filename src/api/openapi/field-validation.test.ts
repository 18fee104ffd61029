/** @module Tests of strict field validation: which fields are unknown and how the errors read. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cannotBeHandledMessage, strictDecodingError, unknownFieldError, unknownFields, unknownFieldsIn } from './field-validation.js';
import type { Schema } from './schema-types.js';

function deployment(spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web', any: 'thing' }, annotations: { a: 'b' } },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [
          { name: 'a', image: 'busybox', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '100m', memory: '1Gi' } } },
          { name: 'b', image: 'busybox', livenessProbe: { httpGet: { port: 'http', path: '/' } }, ...container },
        ] },
      },
      ...spec,
    },
  };
}

const cases: { name: string; apiVersion?: string; kind?: string; obj: unknown; want: string[] }[] = [
  { name: 'a valid deployment has no unknown fields', obj: deployment(), want: [] },
  { name: 'an unknown spec field is named by its path', obj: deployment({ foo: 1 }), want: ['spec.foo'] },
  { name: 'an unknown field in a list item carries the index', obj: deployment({}, { bar: true }),
    want: ['spec.template.spec.containers[1].bar'] },
  { name: 'unknown fields are listed in document order', obj: { ...deployment({ foo: 1 }, { bar: 1 }), extra: {} },
    want: ['spec.template.spec.containers[1].bar', 'spec.foo', 'extra'] },
  { name: 'an unknown metadata field is reported', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', nam: 'x' } },
    apiVersion: 'v1', kind: 'Pod', want: ['metadata.nam'] },
  { name: 'an unknown field is not searched for more unknown fields inside it', obj: deployment({ foo: { bar: { baz: 1 } } }),
    want: ['spec.foo'] },
  { name: 'int-or-string fields accept numbers and strings', obj: deployment({}, { ports: [{ containerPort: 8080, name: 'http' }],
    readinessProbe: { tcpSocket: { port: 8080 } } }), want: [] },
  { name: 'configmap data keys are data, not fields', apiVersion: 'v1', kind: 'ConfigMap',
    obj: { kind: 'ConfigMap', data: { k: 'v' }, binaryData: { x: 'eA==' } }, want: [] },
  { name: 'raw extensions and managed fields accept any content', apiVersion: 'apps/v1', kind: 'ControllerRevision',
    obj: { revision: 1, data: { anything: { goes: [1] } },
      metadata: { managedFields: [{ manager: 'm', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:x': {} } } }] } },
    want: [] },
  { name: 'null values and wrongly typed values are not unknown fields', obj: deployment({ selector: null, strategy: 'x' }), want: [] },
  { name: 'service ports reach their int-or-string targetPort', apiVersion: 'v1', kind: 'Service',
    obj: { spec: { ports: [{ port: 80, targetPort: 'http', nodePorts: 1 }] } }, want: ['spec.ports[0].nodePorts'] },
  { name: 'status fields are checked too', obj: { status: { conditions: [{ type: 'Available', status: 'True', why: 1 }] } },
    want: ['status.conditions[0].why'] },
  { name: 'kinds without a schema are not checked', apiVersion: 'example.com/v1', kind: 'Widget', obj: { foo: 1 }, want: [] },
];

describe('unknownFields', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(unknownFields(c.apiVersion ?? 'apps/v1', c.kind ?? 'Deployment', c.obj), c.want);
    });
  }

  const custom: Schema = { type: 'object', properties: {
    spec: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } } } },
    config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  } };

  test('an unknown field below a map value is named through the key', () => {
    assert.deepEqual(unknownFieldsIn(custom, { spec: { k1: { a: 'x' }, k2: { b: 1 } } }), ['spec.k2.b']);
  });

  test('x-kubernetes-preserve-unknown-fields accepts anything below it', () => {
    assert.deepEqual(unknownFieldsIn(custom, { config: { any: { thing: 1 } }, other: 1 }), ['other']);
  });

  test('stops at 100 errors, as the decoder does', () => {
    const spec = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}`, i]));
    assert.equal(unknownFields('apps/v1', 'Deployment', { spec }).length, 100);
  });
});

describe('messages', () => {
  test('one unknown field, as kubectl shows it from a create', () => {
    assert.equal(cannotBeHandledMessage('Deployment', 'v1', ['spec.foo']),
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"');
  });

  test('several unknown fields are joined with commas', () => {
    assert.equal(strictDecodingError(['spec.foo', 'spec.template.spec.containers[0].bar']),
      'strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].bar"');
    assert.equal(unknownFieldError('a"b'), 'unknown field "a\\"b"');
  });
});
