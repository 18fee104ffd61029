/** @module Tests for Pod validation on create, update and status writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, labelMsg, statusErrorsOf, subdomainMsg } from './testing.js';

const pod = (spec: any, meta: any = {}): any => ({ metadata: { name: 'web', namespace: 'default', ...meta }, spec });
const nginx = (extra: any = {}) => ({ name: 'nginx', image: 'nginx:1.25', ...extra });

const cases: { name: string; pod: any; want: string[] }[] = [
  { name: 'a pod with one container is valid', pod: pod({ containers: [nginx()] }), want: [] },
  { name: 'a pod with no containers is told they are required', pod: pod({ containers: [] }), want: ['spec.containers: Required value'] },
  { name: 'an upper-case pod name is not a DNS subdomain', pod: pod({ containers: [nginx()] }, { name: 'Web' }),
    want: [`metadata.name: Invalid value: "Web": ${subdomainMsg}`] },
  { name: 'a pod without a name or generateName is rejected', pod: pod({ containers: [nginx()] }, { name: undefined }),
    want: ['metadata.name: Required value: name or generateName is required'] },
  { name: 'a pod without a namespace is rejected', pod: pod({ containers: [nginx()] }, { namespace: undefined }),
    want: ['metadata.namespace: Required value'] },
  { name: 'a container needs a name and an image', pod: pod({ containers: [{}] }),
    want: ['spec.containers[0].name: Required value', 'spec.containers[0].image: Required value'] },
  { name: 'container names must be DNS labels', pod: pod({ containers: [nginx({ name: 'my_app' })] }),
    want: [`spec.containers[0].name: Invalid value: "my_app": ${labelMsg}`] },
  { name: 'container names must be unique', pod: pod({ containers: [nginx(), nginx()] }),
    want: ['spec.containers[1].name: Duplicate value: "nginx"'] },
  { name: 'a container port must be in range', pod: pod({ containers: [nginx({ ports: [{ containerPort: 70000 }] })] }),
    want: ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'] },
  { name: 'an unknown port protocol lists the supported ones', pod: pod({ containers: [nginx({ ports: [{ containerPort: 80, protocol: 'HTTP' }] })] }),
    want: ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'] },
  { name: 'an unknown restart policy lists the supported ones', pod: pod({ containers: [nginx()], restartPolicy: 'Sometimes' }),
    want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'] },
  { name: 'a request above its limit is reported in canonical units', pod: pod({ containers: [nginx({ resources: { requests: { cpu: '1.5' }, limits: { cpu: '1' } } })] }),
    want: ['spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1'] },
  { name: 'a malformed quantity is reported at its key', pod: pod({ containers: [nginx({ resources: { limits: { memory: '1 GB' } } })] }),
    want: [
      'spec.containers[0].resources.limits[memory]: Invalid value: "1 GB": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
      'spec.containers[0].resources.requests[memory]: Invalid value: "1 GB": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
    ] },
  { name: 'a mount of an undeclared volume is not found', pod: pod({ containers: [nginx({ volumeMounts: [{ name: 'data', mountPath: '/d' }] })] }),
    want: ['spec.containers[0].volumeMounts[0].name: Invalid value: "data": not found'] },
  { name: 'a volume with two sources is rejected', pod: pod({ containers: [nginx()], volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }),
    want: ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'] },
  { name: 'a liveness probe must succeed once', pod: pod({ containers: [nginx({ livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } })] }),
    want: ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'] },
  { name: 'a probe needs a handler', pod: pod({ containers: [nginx({ readinessProbe: { periodSeconds: 5 } })] }),
    want: ['spec.containers[0].readinessProbe: Required value: must specify a handler type'] },
  { name: 'an env var from a missing source kind is rejected', pod: pod({ containers: [nginx({ env: [{ name: 'A', valueFrom: {} }] })] }),
    want: ['spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'] },
  { name: 'a toleration without a key must use Exists', pod: pod({ containers: [nginx()], tolerations: [{ operator: 'Equal', value: 'x' }] }),
    want: ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'] },
  { name: 'two containers may not take the same host port', pod: pod({ containers: [nginx({ ports: [{ containerPort: 80, hostPort: 8080 }] }), nginx({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] })] }),
    want: ['spec.containers[1].ports[0].hostPort: Duplicate value: "/TCP/8080"'] },
];
for (const c of cases) test(c.name, () => assert.deepEqual(errorsOf('v1', 'Pod', c.pod), c.want));

const stored = () => {
  const p = pod({ containers: [nginx()], tolerations: [{ key: 'a', operator: 'Exists' }] }, { uid: 'u1', resourceVersion: '5' });
  errorsOf('v1', 'Pod', p);
  return p;
};

test('changing a container image on update is allowed', () => {
  const next = stored();
  next.spec.containers[0].image = 'nginx:1.26';
  assert.deepEqual(errorsOf('v1', 'Pod', next, stored()), []);
});

test('adding a toleration on update is allowed, removing one is not', () => {
  const added = stored();
  added.spec.tolerations.push({ key: 'b', operator: 'Exists' });
  assert.deepEqual(errorsOf('v1', 'Pod', added, stored()), []);
  const removed = stored();
  removed.spec.tolerations = [];
  assert.deepEqual(errorsOf('v1', 'Pod', removed, stored()), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
});

test('changing the restart policy on update is forbidden with upstream message and a diff', () => {
  const next = stored();
  next.spec.restartPolicy = 'Never';
  const [msg, ...rest] = errorsOf('v1', 'Pod', next, stored());
  assert.deepEqual(rest, []);
  assert.ok(msg.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'), msg);
  assert.ok(msg.includes('- \trestartPolicy: "Always"\n+ \trestartPolicy: "Never"'), msg);
});

test('adding a container on update is forbidden', () => {
  const next = stored();
  next.spec.containers.push(nginx({ name: 'b' }));
  assert.deepEqual(errorsOf('v1', 'Pod', next, stored()), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
});

test('renaming a pod on update is rejected as immutable', () => {
  const next = stored();
  next.metadata.name = 'other';
  assert.deepEqual(errorsOf('v1', 'Pod', next, stored()), ['metadata.name: Invalid value: "other": field is immutable']);
});

test('activeDeadlineSeconds may only shrink', () => {
  const old = stored();
  old.spec.activeDeadlineSeconds = 10;
  const next = structuredClone(old);
  next.spec.activeDeadlineSeconds = 20;
  assert.deepEqual(errorsOf('v1', 'Pod', next, old), ['spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value']);
});

test('a status write may not move the pod to another node', () => {
  const old = stored();
  old.spec.nodeName = 'n1';
  const next = structuredClone(old);
  next.spec.nodeName = 'n2';
  assert.deepEqual(statusErrorsOf('v1', 'Pod', next, old), ['status.nodeName: Forbidden: may not be changed directly']);
});

test('a status write may not restart a terminated container of a Never pod', () => {
  const old = stored();
  old.spec.restartPolicy = 'Never';
  old.status = { containerStatuses: [{ name: 'nginx', state: { terminated: { exitCode: 1 } } }] };
  const next = structuredClone(old);
  next.status.containerStatuses[0].state = { running: {} };
  assert.deepEqual(statusErrorsOf('v1', 'Pod', next, old), ['status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state']);
});
