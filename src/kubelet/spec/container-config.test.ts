/**
 * @module ContainerConfig from a pod's container: command/args expansion, env, resources,
 * security context, tty/stdin, log path, labels and annotations, and config errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import type { ConfigSource } from './config-source.js';
import { buildContainerConfig, type ContainerConfigInput } from './container-config.js';
import { ContainerConfigError } from './errors.js';
import { DefaultMaskedPaths, DefaultReadonlyPaths } from './security-context.js';

const source: ConfigSource = {
  configMap: async (_ns, name) => (name === 'cfg' ? { data: { greeting: 'hello' } } : undefined),
  secret: async () => undefined,
};
const mounts = [{ containerPath: '/data', hostPath: '/var/lib/x' }];

function input(container: Obj, spec: Obj = {}, extra: Partial<ContainerConfigInput> = {}): ContainerConfigInput {
  const pod = { metadata: { name: 'web', namespace: 'shop', uid: 'u-1' }, spec: { terminationGracePeriodSeconds: 30, ...spec, containers: [container] } };
  return { pod, container, restartCount: 3, mounts, podIP: '10.1.0.9', podIPs: ['10.1.0.9'], hostIP: '192.0.2.1', nodeName: 'n1',
    source, memoryCapacity: 2 ** 30, nodeAllocatable: { cpu: '2', memory: '1Gi' }, ...extra };
}

test('a full container config', async () => {
  const container = {
    name: 'app', image: 'docker.io/local/busybox:1', command: ['/bin/sh', '-c'], args: ['echo $(GREETING) $(POD_IP) $$(GREETING)'],
    workingDir: '/work', tty: true, stdin: true, stdinOnce: true,
    env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '64Mi' } },
    lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } },
  };
  const cfg = await buildContainerConfig(input(container, {}, { imageRef: 'sha256:abc' }));
  const { linux, annotations, ...rest } = cfg;
  assert.deepEqual(rest, {
    metadata: { name: 'app', attempt: 3 },
    image: { image: 'sha256:abc' },
    command: ['/bin/sh', '-c'],
    args: ['echo hello 10.1.0.9 $(GREETING)'],
    workingDir: '/work',
    envs: [{ key: 'GREETING', value: 'hello' }, { key: 'POD_IP', value: '10.1.0.9' }],
    mounts,
    labels: { 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': 'u-1', 'io.kubernetes.container.name': 'app' },
    logPath: 'app/3.log',
    stdin: true, stdinOnce: true, tty: true,
  });
  assert.equal(annotations?.['io.kubernetes.container.restartCount'], '3');
  assert.equal(annotations?.['io.kubernetes.pod.terminationGracePeriod'], '30');
  assert.equal(annotations?.['io.kubernetes.container.terminationMessagePath'], '/dev/termination-log');
  assert.equal(annotations?.['io.kubernetes.container.preStopHandler'], JSON.stringify(container.lifecycle.preStop));
  assert.equal(annotations?.['io.kubernetes.container.ports'], JSON.stringify(container.ports));
  assert.match(annotations?.['io.kubernetes.container.hash'] ?? '', /^[0-9a-f]{8}$/);
  assert.deepEqual(linux?.resources, { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 67108864, oomScoreAdj: 938 });
  assert.deepEqual(linux?.securityContext, { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
    maskedPaths: DefaultMaskedPaths, readonlyPaths: DefaultReadonlyPaths });
});

test('the image name is used without a resolved reference; no command leaves the image entrypoint', async () => {
  const cfg = await buildContainerConfig(input({ name: 'c', image: 'busybox' }));
  assert.deepEqual(cfg.image, { image: 'busybox' });
  assert.equal(cfg.command, undefined);
  assert.equal(cfg.args, undefined);
  assert.equal(cfg.workingDir, undefined);
  assert.equal(cfg.linux?.resources?.oomScoreAdj, 1000);
});

const security: { name: string; podSc?: Obj; sc?: Obj; want: Obj }[] = [
  { name: 'the pod runAsUser/Group are defaults; fsGroup and supplementalGroups join the groups',
    podSc: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, supplementalGroups: [3000] }, sc: { runAsUser: 1001 },
    want: { runAsUser: { value: 1001 }, runAsGroup: { value: 1000 }, supplementalGroups: [2000, 3000] } },
  { name: 'capabilities, privileged, read-only root, no new privileges',
    sc: { capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, privileged: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    want: { capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] }, privileged: true, readonlyRootfs: true, noNewPrivs: true } },
  { name: 'allowPrivilegeEscalation true keeps no_new_privs off', sc: { allowPrivilegeEscalation: true }, want: {} },
  { name: 'runAsNonRoot with a non-zero user passes', podSc: { runAsNonRoot: true, runAsUser: 5 }, want: { runAsUser: { value: 5 } } },
];
for (const c of security) {
  test(`security context: ${c.name}`, async () => {
    const cfg = await buildContainerConfig(input({ name: 'c', image: 'i', securityContext: c.sc }, { securityContext: c.podSc }));
    const { namespaceOptions, maskedPaths, readonlyPaths, ...got } = cfg.linux!.securityContext!;
    assert.deepEqual(got, c.want);
    assert.ok(namespaceOptions && maskedPaths && readonlyPaths);
  });
}

test('procMount Unmasked clears masked and read-only paths', async () => {
  const cfg = await buildContainerConfig(input({ name: 'c', image: 'i', securityContext: { procMount: 'Unmasked' } }));
  assert.deepEqual([cfg.linux?.securityContext?.maskedPaths, cfg.linux?.securityContext?.readonlyPaths], [[], []]);
});

const failures: { name: string; container: Obj; podSc?: Obj; extra?: Partial<ContainerConfigInput>; message: RegExp }[] = [
  { name: 'a missing configMap', container: { name: 'c', image: 'i', envFrom: [{ configMapRef: { name: 'nope' } }] }, message: /^configmap "nope" not found$/ },
  { name: 'runAsNonRoot with runAsUser 0', container: { name: 'c', image: 'i', securityContext: { runAsNonRoot: true, runAsUser: 0 } },
    message: /^container's runAsUser breaks non-root policy \(pod: "web_shop\(u-1\)", container: c\)$/ },
  { name: 'runAsNonRoot with a root image', container: { name: 'c', image: 'i' }, podSc: { runAsNonRoot: true }, extra: { imageUser: '' },
    message: /^container has runAsNonRoot and image will run as root/ },
  { name: 'runAsNonRoot with a named image user', container: { name: 'c', image: 'i' }, podSc: { runAsNonRoot: true }, extra: { imageUser: 'app' },
    message: /non-numeric user \(app\)/ },
  { name: 'a malformed limit', container: { name: 'c', image: 'i', resources: { limits: { memory: 'lots' } } }, message: /^container c: quantities must match/ },
  { name: 'a container without an image', container: { name: 'c' }, message: /^container c has no image$/ },
];
for (const f of failures) {
  test(`${f.name} is a ContainerConfigError`, async () => {
    await assert.rejects(buildContainerConfig(input(f.container, { securityContext: f.podSc }, f.extra)),
      (e: unknown) => e instanceof ContainerConfigError && f.message.test(e.message) && e.reason === 'CreateContainerConfigError');
  });
}
