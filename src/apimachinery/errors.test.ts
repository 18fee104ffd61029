import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newNotFound, newOptimisticLockConflict, newRequestEntityTooLarge, newUnsupportedMediaType, PATCH_MEDIA_TYPES } from './errors.js';

test('details of a core-group error carry no empty group (omitempty, as upstream)', () => {
  assert.deepEqual(newOptimisticLockConflict({ group: '', resource: 'configmaps' }, 'x').status.details, { name: 'x', kind: 'configmaps' });
  assert.deepEqual(newNotFound({ group: 'apps', resource: 'deployments' }, 'd').status.details, { name: 'd', group: 'apps', kind: 'deployments' });
});

test('413 and 415 messages as kube-apiserver words them', () => {
  assert.equal(newRequestEntityTooLarge('limit is 3145728').status.message, 'Request entity too large: limit is 3145728');
  assert.equal(newUnsupportedMediaType('text/plain').status.message,
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  assert.equal(newUnsupportedMediaType('application/json', PATCH_MEDIA_TYPES).status.message,
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json');
});
