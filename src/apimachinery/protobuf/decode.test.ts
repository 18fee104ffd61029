/**
 * Protobuf bodies encoded as Go would (value-type fields always written) decode to the JSON kube-apiserver
 * would see: pointer zeros kept, value zeros dropped, bytes as base64, well-known types in their JSON forms.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import { decodeProtobuf, isProtobufContentType } from './index.js';
import { encodeMessage, encodeProtobuf } from './testing.js';

const roundTrip = (message: string, obj: { apiVersion: string; kind: string } & Record<string, unknown>) =>
  decodeProtobuf(encodeProtobuf(message, obj));

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e.status.code;
  }
  assert.fail('did not throw');
};

/** Bodies kubectl 1.32 sent (captured from `kubectl create configmap|deployment|namespace|service`). */
const captured = {
  configMap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjYKEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBMRIMCgNiaW4SBQABYmluEgkKBWVtcHR5EgAaACIA',
  deployment: 'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EtMBCh0KAmQxEgAaACIAKgAyADgAQgBaCQoDYXBwEgJkMRKjAQgAEgsKCQoDYXBwEgJkMRqJAQobCgASABoAIgAqADIAOABCAFoJCgNhcHASAmQxEmoSTAoHYnVzeWJveBIPbG9jYWwvYnVzeWJveDoxGgVzbGVlcBoIaW5maW5pdHkqADILCgAQABiQPyIAKgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
  namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDbnMyEgAaACIAKgAyADgAQgASABoCCgAaACIA',
  service: 'azhzAAoNCgJ2MRIHU2VydmljZRJpCh0KAnMxEgAaACIAKgAyADgAQgBaCQoDYXBwEgJzMRJECh4KBzgwLWh0dHASA1RDUBhQIgoIARAAGgRodHRwKAASCQoDYXBwEgJzMRoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==',
};

test('bodies the real kubectl sent decode to the JSON it would have sent', () => {
  const decode = (b64: string) => decodeProtobuf(Buffer.from(b64, 'base64'));
  assert.deepEqual(decode(captured.configMap), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' },
    data: { a: '1', bin: '\u0000\u0001bin', empty: '' } });
  assert.deepEqual(decode(captured.namespace), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns2' } });
  assert.deepEqual(decode(captured.deployment), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1', labels: { app: 'd1' } },
    spec: { replicas: 0, selector: { matchLabels: { app: 'd1' } }, template: { metadata: { labels: { app: 'd1' } }, spec: {
      containers: [{ name: 'busybox', image: 'local/busybox:1', command: ['sleep', 'infinity'], ports: [{ containerPort: 8080 }] }] } } } });
  assert.deepEqual(decode(captured.service), { apiVersion: 'v1', kind: 'Service', metadata: { name: 's1', labels: { app: 's1' } },
    spec: { ports: [{ name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http' }], selector: { app: 's1' }, type: 'ClusterIP' } });
});

test('content type', () => {
  assert.ok(isProtobufContentType('application/vnd.kubernetes.protobuf'));
  assert.ok(isProtobufContentType('Application/vnd.kubernetes.protobuf; charset=utf-8'));
  assert.ok(!isProtobufContentType('application/json'));
  assert.ok(!isProtobufContentType(undefined));
});

test('namespace: zero value-type fields (spec, status, creationTimestamp, generation) are dropped', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo', labels: { a: 'b' } } };
  assert.deepEqual(roundTrip('core.v1.Namespace', ns), ns);
});

test('configmap and secret: maps keep empty values, bytes become base64', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: { a: 'b', empty: '' },
    binaryData: { bin: Buffer.from([0, 1, 2]).toString('base64') } };
  assert.deepEqual(roundTrip('core.v1.ConfigMap', cm), cm);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' }, type: 'Opaque' };
  assert.deepEqual(roundTrip('core.v1.Secret', secret), secret);
});

test('deployment: pointer zeros kept, value zeros dropped, IntOrString, Quantity, empty pointer structs', () => {
  const deploy = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'p1', labels: { app: 'web' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', ''] }] },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsUser: -1, supplementalGroups: [1000, 2000] },
          volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }],
          containers: [{
            name: 'web', image: 'nginx', args: ['-g', ''],
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'A', value: '' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { tcpSocket: { port: 80 } },
            volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }],
          }],
          tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }],
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } } }] } },
        },
      },
    },
  };
  const out = roundTrip('apps.v1.Deployment', deploy) as { spec: Record<string, unknown> };
  assert.equal(out.spec.replicas, 0);
  assert.ok(!('paused' in out.spec) && !('minReadySeconds' in out.spec));
  assert.deepEqual(out, {
    ...deploy,
    spec: { ...deploy.spec, template: { ...deploy.spec.template, spec: { ...deploy.spec.template.spec,
      containers: [{ ...deploy.spec.template.spec.containers[0], env: [{ name: 'A' }, deploy.spec.template.spec.containers[0].env[1]] }] } } },
  });
});

test('events and leases: Time and MicroTime as RFC 3339', () => {
  const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', creationTimestamp: '2024-05-06T07:08:09Z' },
    involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Started', count: 2,
    firstTimestamp: '2024-05-06T07:08:09Z', eventTime: '2024-05-06T07:08:09.123456Z', source: { component: 'kubelet' } };
  assert.deepEqual(roundTrip('core.v1.Event', ev), ev);
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' },
    spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: '1970-01-01T00:00:00.000000Z', leaseTransitions: 0 } };
  assert.deepEqual(roundTrip('coordination.v1.Lease', lease), lease);
});

test('managedFields fieldsV1 and ControllerRevision data are JSON', () => {
  const cr = { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 3,
    metadata: { name: 'r', managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1',
      time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 's', uid: 'u', controller: true }] },
    data: { spec: { template: { metadata: {} } } } };
  assert.deepEqual(roundTrip('apps.v1.ControllerRevision', cr), cr);
});

test('DeleteOptions under any group version, and Eviction carrying them', () => {
  const opts = { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] };
  assert.deepEqual(roundTrip('meta.v1.DeleteOptions', opts), opts);
  assert.deepEqual(roundTrip('meta.v1.DeleteOptions', { ...opts, apiVersion: 'apps/v1' }), { ...opts, apiVersion: 'apps/v1' });
  const ev = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'n' },
    deleteOptions: { preconditions: { uid: 'x' }, gracePeriodSeconds: 30 } };
  assert.deepEqual(roundTrip('policy.v1.Eviction', ev), ev);
});

test('rbac, pdb, priority class, ingress, cronjob', () => {
  const cases: [string, any][] = [
    ['rbac.v1.Role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }],
    ['rbac.v1.ClusterRoleBinding', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'c' } }],
    ['policy.v1.PodDisruptionBudget', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } } } }],
    ['scheduling.v1.PriorityClass', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'hi' }, value: 1000, preemptionPolicy: 'Never' }],
    ['networking.v1.Ingress', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' },
      spec: { rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc', port: { number: 80 } } } }] } }] } }],
    ['batch.v1.CronJob', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj' },
      spec: { schedule: '*/5 * * * *', jobTemplate: { metadata: { name: 'cj' }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } } }],
  ];
  for (const [message, obj] of cases) assert.deepEqual(roundTrip(message, obj), obj, message);
});

test('inline embedded structs join their parent: hand-built Volume and IngressRule bytes', () => {
  const tag = (num: number) => Buffer.from(num < 16 ? [num * 8 + 2] : [(num * 8 + 2) | 0x80, (num * 8 + 2) >> 7]);
  const ld = (num: number, b: Buffer) => Buffer.concat([tag(num), Buffer.from([b.length]), b]);
  const str = (num: number, s: string) => ld(num, Buffer.from(s));
  // Volume {1 name, 2 volumeSource {19 configMap {1 localObjectReference {1 name}, 3 defaultMode}}}
  const volume = Buffer.concat([str(1, 'cfg'), ld(2, ld(19, Buffer.concat([ld(1, str(1, 'c')), Buffer.from([0x18, 0xa4, 0x03])])))]);
  const pod = Buffer.concat([ld(1, str(1, 'p')), ld(2, ld(1, volume))]);
  const podBody = Buffer.concat([Buffer.from('k8s\0'), ld(1, Buffer.concat([str(1, 'v1'), str(2, 'Pod')])), ld(2, pod)]);
  assert.deepEqual(decodeProtobuf(podBody), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { volumes: [{ name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }] } });
  // IngressRule {1 host, 2 ingressRuleValue {1 http {1 paths [{1 path}]}}}
  const rule = Buffer.concat([str(1, 'foo.com'), ld(2, ld(1, ld(1, str(1, '/bar'))))]);
  const ing = Buffer.concat([ld(1, str(1, 'i')), ld(2, ld(3, rule))]);
  const ingBody = Buffer.concat([Buffer.from('k8s\0'), ld(1, Buffer.concat([str(1, 'networking.k8s.io/v1'), str(2, 'Ingress')])), ld(2, ing)]);
  assert.deepEqual(decodeProtobuf(ingBody), { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' },
    spec: { rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar' }] } }] } });
});

test('unknown field numbers are skipped', () => {
  const raw = Buffer.concat([encodeMessage('core.v1.Namespace', { metadata: { name: 'x' } }), Buffer.from([0xf8, 0x06, 0x05, 0xfa, 0x06, 0x01, 0x41])]);
  const unknown = Buffer.concat([Buffer.from([0x0a, 0x0f, 0x0a, 0x02]), Buffer.from('v1'), Buffer.from([0x12, 0x09]), Buffer.from('Namespace'),
    Buffer.from([0x12, raw.length]), raw]);
  assert.deepEqual(decodeProtobuf(Buffer.concat([Buffer.from('k8s\0'), unknown])), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
});

test('errors: bad envelope and truncated data are 400, an unknown kind is 415', () => {
  assert.equal(status(() => decodeProtobuf(Buffer.from('{"kind":"Namespace"}'))), 400);
  const good = encodeProtobuf('core.v1.ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
  const rawStart = 4 + 2 + good[5] + 2; // magic, typeMeta record, raw's tag and length; 4 bytes of empty fields 3 and 4 end it
  for (let cut = rawStart; cut < good.length - 4; cut++) assert.equal(status(() => decodeProtobuf(good.subarray(0, cut))), 400, `cut at ${cut}`);
  const widget = encodeProtobuf('core.v1.ConfigMap', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
  assert.equal(status(() => decodeProtobuf(widget)), 415);
  const noKind = encodeProtobuf('core.v1.ConfigMap', { apiVersion: 'v1', kind: '', metadata: { name: 'w' } });
  assert.equal(status(() => decodeProtobuf(noKind)), 400);
});
