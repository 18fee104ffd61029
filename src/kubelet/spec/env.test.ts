/**
 * @module Environment resolution as the kubelet does it: literal values with $(VAR) expansion,
 * configMap/secret keys and envFrom (prefix, optional), fieldRef and resourceFieldRef, and the
 * errors a missing object or key gives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import type { ConfigSource } from './config-source.js';
import { makeEnvironmentVariables } from './env.js';
import { ContainerConfigError } from './errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const objects: Record<string, Obj> = {
  'cm/default/cfg': { data: { mode: 'fast', level: '3', 'bad=key': 'x' }, binaryData: { blob: b64('bin') } },
  'cm/default/more': { data: { level: '9', extra: 'e' } },
  'secret/default/creds': { data: { user: b64('admin'), pass: b64('s3cr3t') } },
};
const source: ConfigSource = {
  configMap: async (ns, name) => objects[`cm/${ns}/${name}`],
  secret: async (ns, name) => objects[`secret/${ns}/${name}`],
};

const pod = (container: Obj): Obj => ({
  metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', labels: { app: 'web', tier: 'fe' }, annotations: { note: 'a "quoted"\nline' } },
  spec: { nodeName: 'node-a', serviceAccountName: 'sa', containers: [container] },
});

async function envOf(container: Obj, extra: Partial<Parameters<typeof makeEnvironmentVariables>[0]> = {}): Promise<Record<string, string>> {
  const env = await makeEnvironmentVariables({
    pod: pod(container), container, source, podIP: '10.1.0.5', podIPs: ['10.1.0.5'], hostIP: '192.0.2.1', hostIPs: ['192.0.2.1'],
    nodeName: 'node-a', allocatable: { cpu: '2', memory: '4Gi' }, ...extra,
  });
  return Object.fromEntries(env);
}

const cases: { name: string; container: Obj; want: Record<string, string> }[] = [
  {
    name: 'literal values expand earlier variables; unknown references stay; $$ escapes',
    container: { name: 'c', env: [
      { name: 'A', value: 'a' }, { name: 'B', value: '$(A)-b' }, { name: 'C', value: '$(LATER) $$(A)' }, { name: 'LATER', value: 'l' },
    ] },
    want: { A: 'a', B: 'a-b', C: '$(LATER) $(A)', LATER: 'l' },
  },
  {
    name: 'envFrom a configMap and a secret with a prefix; env overrides; invalid names skipped; binaryData is not env',
    container: { name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'creds' } }],
      env: [{ name: 'mode', value: 'slow' }, { name: 'REF', value: '$(level)/$(S_user)' }] },
    want: { mode: 'slow', level: '3', S_user: 'admin', S_pass: 's3cr3t', REF: '3/admin' },
  },
  {
    name: 'a later envFrom overrides an earlier one',
    container: { name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }, { configMapRef: { name: 'more' } }] },
    want: { mode: 'fast', level: '9', extra: 'e' },
  },
  {
    name: 'configMapKeyRef and secretKeyRef',
    container: { name: 'c', env: [
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'pass' } } },
    ] },
    want: { MODE: 'fast', PASS: 's3cr3t' },
  },
  {
    name: 'optional references to missing objects or keys leave the variable out',
    container: { name: 'c', envFrom: [{ configMapRef: { name: 'nope', optional: true } }, { secretRef: { name: 'nope', optional: true } }],
      env: [
        { name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'Y', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } },
        { name: 'Z', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey', optional: true } } },
        { name: 'KEEP', value: 'k' },
      ] },
    want: { KEEP: 'k' },
  },
  {
    name: 'fieldRef: metadata, labels and annotations, node, service account and IPs',
    container: { name: 'c', env: [
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'NONE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['missing']" } } },
      { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      { name: 'NOTES', valueFrom: { fieldRef: { fieldPath: 'metadata.annotations' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'POD_IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
      { name: 'URL', value: 'http://$(POD_IP):80/$(NAME)' },
    ] },
    want: { NAME: 'web-1', NS: 'default', UID: 'u-1', APP: 'web', NONE: '', LABELS: 'app="web"\ntier="fe"',
      NOTES: 'note="a \\"quoted\\"\\nline"', NODE: 'node-a', SA: 'sa', POD_IP: '10.1.0.5', POD_IPS: '10.1.0.5',
      HOST_IP: '192.0.2.1', HOST_IPS: '192.0.2.1', URL: 'http://10.1.0.5:80/web-1' },
  },
  {
    name: 'resourceFieldRef with divisors, rounded up; a missing limit is the node allocatable',
    container: { name: 'c', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m' } }, env: [
      { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
      { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'MEM_REQ_MI', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } } },
      { name: 'MEM_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Gi' } } },
      { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
    ] },
    want: { CPU_REQ: '1', CPU_REQ_M: '250', CPU_LIM: '2', MEM_REQ_MI: '64', MEM_LIM: '4', MEM_REQ: '67108864' },
  },
];

for (const c of cases) test(c.name, async () => assert.deepEqual(await envOf(c.container), c.want));

test('service variables are added unless the pod defines the name, and can be referenced', async () => {
  const serviceEnv = new Map([['DB_SERVICE_HOST', '10.96.0.9'], ['A', 'from-service']]);
  const got = await envOf({ name: 'c', env: [{ name: 'A', value: 'mine' }, { name: 'DB', value: '$(DB_SERVICE_HOST):5432' }] }, { serviceEnv });
  assert.deepEqual(got, { A: 'mine', DB: '10.96.0.9:5432', DB_SERVICE_HOST: '10.96.0.9' });
});

const errors: { name: string; container: Obj; message: string }[] = [
  { name: 'a missing configMap', container: { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }] },
    message: 'configmap "gone" not found' },
  { name: 'a missing key in a configMap', container: { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] },
    message: "couldn't find key k in ConfigMap default/cfg" },
  { name: 'a missing secret', container: { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
    message: 'secret "s" not found' },
  { name: 'a missing key in a secret', container: { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] },
    message: "couldn't find key k in Secret default/creds" },
  { name: 'a missing envFrom configMap', container: { name: 'c', envFrom: [{ configMapRef: { name: 'gone' } }] },
    message: 'configmap "gone" not found' },
  { name: 'a missing envFrom secret', container: { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] },
    message: 'secret "gone" not found' },
  { name: 'an unsupported fieldPath', container: { name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }] },
    message: 'field label not supported: spec.nope' },
  { name: 'an unsupported resource', container: { name: 'c', env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] },
    message: 'unsupported container resource : limits.gpu' },
];

for (const c of errors) {
  test(`${c.name} is a ContainerConfigError in kubelet's words`, async () => {
    await assert.rejects(envOf(c.container), (e: unknown) => e instanceof ContainerConfigError && e.message === c.message);
  });
}

test('a failing source is a ContainerConfigError naming the object', async () => {
  const failing: ConfigSource = { configMap: async () => { throw new Error('connection refused'); }, secret: async () => undefined };
  const container = { name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] };
  await assert.rejects(
    makeEnvironmentVariables({ pod: pod(container), container, source: failing, podIP: '', podIPs: [], hostIP: '', hostIPs: [], nodeName: '', allocatable: {} }),
    { name: 'ContainerConfigError', message: "couldn't get configmap default/cfg: connection refused" });
});

test('each object is read once per container', async () => {
  let reads = 0;
  const counting: ConfigSource = { configMap: async (ns, n) => { reads++; return source.configMap(ns, n); }, secret: source.secret };
  await envOf({ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }], env: [
    { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
    { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } },
  ] }, { source: counting });
  assert.equal(reads, 1);
});
