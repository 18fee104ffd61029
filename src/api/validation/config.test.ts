/** @module Tests for ConfigMap and Secret validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf } from './testing.js';

const meta = { name: 'cfg', namespace: 'default' };

test('a config map key must be a valid config key', () => {
  assert.deepEqual(errorsOf('v1', 'ConfigMap', { metadata: meta, data: { 'a/b': 'x' } }),
    ['data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')']);
});

test('a config map over 1 MiB is too long', () => {
  assert.deepEqual(errorsOf('v1', 'ConfigMap', { metadata: meta, data: { a: 'x'.repeat(1024 * 1024 + 1) } }),
    ['[]: Too long: may not be more than 1048576 bytes']);
});

test('a key may not be in both data and binaryData', () => {
  assert.deepEqual(errorsOf('v1', 'ConfigMap', { metadata: meta, data: { a: 'x' }, binaryData: { a: 'eA==' } }),
    ['data[a]: Invalid value: "a": duplicate of key present in binaryData']);
});

test('an immutable config map keeps its data', () => {
  const old = { metadata: meta, immutable: true, data: { a: 'x' } };
  assert.deepEqual(errorsOf('v1', 'ConfigMap', { ...old, data: { a: 'y' } }, old), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('a TLS secret needs a certificate and a key', () => {
  assert.deepEqual(errorsOf('v1', 'Secret', { metadata: meta, type: 'kubernetes.io/tls', data: {} }),
    ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
});

test('a secret type cannot change on update', () => {
  const old = { metadata: meta, type: 'Opaque' };
  assert.deepEqual(errorsOf('v1', 'Secret', { metadata: meta, type: 'kubernetes.io/basic-auth', data: { username: 'YQ==' } }, old),
    ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
});

test('a secret from stringData is valid once defaulted', () => {
  assert.deepEqual(errorsOf('v1', 'Secret', { metadata: meta, stringData: { password: 's3cret' } }), []);
});
