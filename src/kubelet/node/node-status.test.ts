/** @module Table tests of the real node's capacity, allocatable, pressure and conditions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeConditions } from './conditions.js';
import { buildNodeStatus, nodeAllocatable, nodeCapacity, nodeImages, pressure } from './node-status.js';

const machine = { cpus: 2, memoryBytes: 8 * 2 ** 30, fsCapacityBytes: 100 * 2 ** 30, kernelVersion: '6.1.0-13-amd64',
  osImage: 'Debian GNU/Linux 12 (bookworm)', machineID: 'm1', systemUUID: 'u1', bootID: 'b1' };

test('capacity comes from the machine, with overrides', () => {
  const c = nodeCapacity(machine, { cpu: '8' });
  assert.deepEqual(c, { cpu: '8', memory: '8388608Ki', pods: '110', 'ephemeral-storage': '104857600Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' });
});

const allocCases: { name: string; reserved?: Record<string, string>; want: Record<string, string> }[] = [
  { name: 'allocatable is capacity minus 100m cpu, 256Mi + 100Mi memory and 10% of the disk by default',
    want: { cpu: '1900m', memory: '7836Mi', 'ephemeral-storage': String(Math.floor(100 * 2 ** 30 * 0.9)) } },
  { name: 'a custom reservation replaces the defaults (eviction thresholds stay)', reserved: { cpu: '1', memory: '1Gi' },
    want: { cpu: '1', memory: '7068Mi', 'ephemeral-storage': String(Math.floor(100 * 2 ** 30 * 0.9)) } },
  { name: 'a reservation above capacity leaves zero', reserved: { cpu: '3' },
    want: { cpu: '0', memory: '8092Mi', 'ephemeral-storage': String(Math.floor(100 * 2 ** 30 * 0.9)) } },
];
for (const c of allocCases) {
  test(c.name, () => {
    const a = nodeAllocatable(nodeCapacity(machine), c.reserved);
    assert.deepEqual({ cpu: a.cpu, memory: a.memory, 'ephemeral-storage': a['ephemeral-storage'] }, c.want);
    assert.equal(a.pods, '110');
  });
}

test('pressure follows the default hard eviction thresholds', () => {
  assert.deepEqual(pressure({ memoryAvailableBytes: 50 * 2 ** 20, fsAvailableBytes: 5, fsCapacityBytes: 100 }), { memoryPressure: true, diskPressure: true });
  assert.deepEqual(pressure({ memoryAvailableBytes: 2 ** 30, fsAvailableBytes: 50, fsCapacityBytes: 100 }), { memoryPressure: false, diskPressure: false });
});

test('conditions keep their transition time until their status changes', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const first = nodeConditions({}, undefined, t0);
  assert.deepEqual(first.map((c) => [c.type, c.status, c.reason]), [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'], ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID'], ['Ready', 'True', 'KubeletReady']]);
  const later = nodeConditions({ notReady: 'container runtime is down' }, first, t0 + 10_000);
  const ready = later.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason, ready.message, ready.lastTransitionTime], ['False', 'KubeletNotReady', 'container runtime is down', '2026-01-01T00:00:10Z']);
  const mem = later.find((c) => c.type === 'MemoryPressure')!;
  assert.equal(mem.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(mem.lastHeartbeatTime, '2026-01-01T00:00:10Z');
});

test('the status names the runtime, the kubelet port and the addresses', () => {
  const s = buildNodeStatus({ nodeName: 'n1', nodeIP: '10.0.0.5', kubeletPort: 10250, machine, capacity: {}, allocatable: {},
    runtime: { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' }, health: {}, now: 0 });
  assert.equal(s.nodeInfo.containerRuntimeVersion, 'containerd://1.6.20');
  assert.equal(s.nodeInfo.kubeletVersion, 'v1.32.0');
  assert.equal(s.nodeInfo.osImage, 'Debian GNU/Linux 12 (bookworm)');
  assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.deepEqual(s.addresses, [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'n1' }]);
});

test('node images: largest first, digests then tags, untagged ones left out', () => {
  assert.deepEqual(nodeImages([
    { id: 'sha256:1', repoTags: ['tugboat.local/busybox:1'], repoDigests: [], size: '2130552' },
    { id: 'sha256:2', repoTags: [], repoDigests: [], size: '9' },
    { id: 'sha256:3', repoTags: ['docker.io/library/nginx:1'], repoDigests: ['docker.io/library/nginx@sha256:ab'], size: '70000000' },
  ]), [
    { names: ['docker.io/library/nginx@sha256:ab', 'docker.io/library/nginx:1'], sizeBytes: 70000000 },
    { names: ['tugboat.local/busybox:1'], sizeBytes: 2130552 },
  ]);
});
