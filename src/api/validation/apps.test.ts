/** @module Tests for apps/v1 workload validation: selectors, templates, strategies, immutability, status. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from './index.js';
import { errorsOf, statusErrorsOf, typeOf } from './testing.js';

const template = (labels: any = { app: 'x' }, spec: any = {}) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...spec } });
const workload = (kind: string, spec: any) => ({ apiVersion: 'apps/v1', kind, metadata: { name: 'web', namespace: 'default' }, spec });
const deployment = (spec: any) => workload('Deployment', { selector: { matchLabels: { app: 'x' } }, template: template(), ...spec });

const cases: { name: string; kind: string; obj: any; want: string[] }[] = [
  { name: 'a deployment selecting its template is valid', kind: 'Deployment', obj: deployment({}), want: [] },
  { name: 'a deployment whose selector misses its template labels is rejected', kind: 'Deployment',
    obj: deployment({ selector: { matchLabels: { app: 'y' } } }),
    want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'] },
  // As upstream: a missing selector selects nothing, so the template mismatch is reported too.
  { name: 'a deployment without a selector is told it is required', kind: 'Deployment', obj: deployment({ selector: undefined }),
    want: ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'] },
  { name: 'an empty deployment selector is invalid', kind: 'Deployment', obj: deployment({ selector: {} }),
    want: ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'] },
  { name: 'negative replicas are rejected', kind: 'Deployment', obj: deployment({ replicas: -1 }),
    want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'] },
  { name: 'a deployment template must restart always', kind: 'Deployment', obj: deployment({ template: template({ app: 'x' }, { restartPolicy: 'Never' }) }),
    want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'] },
  { name: 'a deployment template without containers reports the template path', kind: 'Deployment',
    obj: deployment({ template: { metadata: { labels: { app: 'x' } }, spec: { containers: [] } } }),
    want: ['spec.template.spec.containers: Required value'] },
  { name: 'a rolling update may not have both surge and unavailable zero', kind: 'Deployment',
    obj: deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }),
    want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'] },
  { name: 'a malformed percentage is rejected', kind: 'Deployment',
    obj: deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10', maxUnavailable: 1 } } }),
    want: ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "10": a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')'] },
  { name: 'a replica set with a mismatched selector is rejected', kind: 'ReplicaSet',
    obj: workload('ReplicaSet', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['y'] }] }, template: template() }),
    want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'] },
  { name: 'a daemon set with both surge and unavailable is rejected', kind: 'DaemonSet',
    obj: workload('DaemonSet', { selector: { matchLabels: { app: 'x' } }, template: template(), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }),
    want: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'] },
  { name: 'a stateful set may mount its claim templates', kind: 'StatefulSet',
    obj: workload('StatefulSet', { serviceName: 'web', selector: { matchLabels: { app: 'x' } },
      template: template({ app: 'x' }, { containers: [{ name: 'c', image: 'x:1', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] }),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }),
    want: [] },
  { name: 'an unknown pod management policy is rejected', kind: 'StatefulSet',
    obj: workload('StatefulSet', { podManagementPolicy: 'Random', selector: { matchLabels: { app: 'x' } }, template: template() }),
    want: ['spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\''] },
];
for (const c of cases) test(c.name, () => assert.deepEqual(errorsOf('apps/v1', c.kind, c.obj), c.want));

test('the selector mismatch carries the template labels as its value', () => {
  const d = deployment({ selector: { matchLabels: { app: 'y' } } });
  errorsOf('apps/v1', 'Deployment', d);
  const [err] = validate(typeOf('apps/v1', 'Deployment'), d);
  assert.deepEqual(err, { type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', value: { app: 'x' }, detail: '`selector` does not match template `labels`' });
});

test('a deployment selector cannot change on update', () => {
  const old = deployment({});
  errorsOf('apps/v1', 'Deployment', old);
  const next = structuredClone(old);
  next.spec.selector = { matchLabels: { app: 'x', tier: 'web' } };
  next.spec.template.metadata.labels.tier = 'web';
  assert.deepEqual(errorsOf('apps/v1', 'Deployment', next, old), ['spec.selector: Invalid value: {"matchLabels":{"app":"x","tier":"web"}}: field is immutable']);
});

test('a stateful set may change replicas and template but not its service name', () => {
  const old = workload('StatefulSet', { serviceName: 'a', selector: { matchLabels: { app: 'x' } }, template: template() });
  errorsOf('apps/v1', 'StatefulSet', old);
  const scaled = structuredClone(old);
  scaled.spec.replicas = 3;
  assert.deepEqual(errorsOf('apps/v1', 'StatefulSet', scaled, old), []);
  const renamed = structuredClone(old);
  renamed.spec.serviceName = 'b';
  assert.deepEqual(errorsOf('apps/v1', 'StatefulSet', renamed, old), ["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]);
});

test('a deployment status may not report more ready than total replicas', () => {
  const old = deployment({});
  const next = { ...structuredClone(old), status: { replicas: 1, readyReplicas: 2, availableReplicas: 1 } };
  assert.deepEqual(statusErrorsOf('apps/v1', 'Deployment', next, old), ['status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas']);
});
