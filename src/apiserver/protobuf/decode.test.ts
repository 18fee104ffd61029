import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtobufObject, packageOf, ProtobufError } from './decode.js';

/** Bodies kubectl 1.32 sent (captured from `kubectl create configmap|deployment|namespace|service`). */
const captured = {
  configMap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjYKEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBMRIMCgNiaW4SBQABYmluEgkKBWVtcHR5EgAaACIA',
  deployment: 'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EtMBCh0KAmQxEgAaACIAKgAyADgAQgBaCQoDYXBwEgJkMRKjAQgAEgsKCQoDYXBwEgJkMRqJAQobCgASABoAIgAqADIAOABCAFoJCgNhcHASAmQxEmoSTAoHYnVzeWJveBIPbG9jYWwvYnVzeWJveDoxGgVzbGVlcBoIaW5maW5pdHkqADILCgAQABiQPyIAKgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
  namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDbnMyEgAaACIAKgAyADgAQgASABoCCgAaACIA',
  service: 'azhzAAoNCgJ2MRIHU2VydmljZRJpCh0KAnMxEgAaACIAKgAyADgAQgBaCQoDYXBwEgJzMRJECh4KBzgwLWh0dHASA1RDUBhQIgoIARAAGgRodHRwKAASCQoDYXBwEgJzMRoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==',
};

const decode = (b64: string) => decodeProtobufObject(Buffer.from(b64, 'base64'));

test('kubectl create configmap: map fields, empty values kept in maps', () => {
  assert.deepEqual(decode(captured.configMap), {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: '1', bin: '\u0000\u0001bin', empty: '' },
  });
});

test('kubectl create deployment: nested messages, repeated strings and messages, pointers set to 0', () => {
  const d = decode(captured.deployment) as any;
  assert.equal(d.apiVersion, 'apps/v1');
  assert.equal(d.kind, 'Deployment');
  assert.deepEqual(d.metadata, { name: 'd1', labels: { app: 'd1' } });
  assert.deepEqual(d.spec.template.metadata, { labels: { app: 'd1' } }, 'a zero generation is absent');
  assert.equal(d.spec.replicas, 0);
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'd1' } });
  const c = d.spec.template.spec.containers[0];
  assert.equal(c.name, 'busybox');
  assert.equal(c.image, 'local/busybox:1');
  assert.deepEqual(c.command, ['sleep', 'infinity']);
  assert.deepEqual(c.ports, [{ hostPort: 0, containerPort: 8080 }]);
  assert.deepEqual(d.spec.strategy, {}, 'empty strings are dropped, so defaulting still sees no strategy type');
  assert.equal(d.metadata.creationTimestamp, undefined, 'a zero Time is absent');
});

test('kubectl create namespace and service: IntOrString as a string', () => {
  assert.deepEqual(decode(captured.namespace), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns2' }, spec: {}, status: {} });
  const s = decode(captured.service) as any;
  assert.deepEqual(s.spec.ports, [{ name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 0 }]);
  assert.equal(s.spec.type, 'ClusterIP');
});

test('bad bodies are ProtobufErrors', () => {
  assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"x"}')), ProtobufError);
  assert.throws(() => decodeProtobufObject(Buffer.from(captured.configMap, 'base64').subarray(0, 20)), ProtobufError);
});

test('API group versions map to upstream protobuf packages', () => {
  assert.equal(packageOf('v1'), 'k8s.io.api.core.v1');
  assert.equal(packageOf('apps/v1'), 'k8s.io.api.apps.v1');
  assert.equal(packageOf('networking.k8s.io/v1'), 'k8s.io.api.networking.v1');
  assert.equal(packageOf('rbac.authorization.k8s.io/v1'), 'k8s.io.api.rbac.v1');
  assert.equal(packageOf('meta.k8s.io/v1'), 'k8s.io.apimachinery.pkg.apis.meta.v1');
});
