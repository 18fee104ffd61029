/**
 * @module Requests and limits as cgroup numbers (the kubelet's arithmetic) and oom_score_adj by QoS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { containerResources, linuxResources, milliCPUToQuota, milliCPUToShares, oomScoreAdj, sandboxResources } from './resources.js';

test('milliCPUToShares: 1024 per core, at least 2, at most 262144', () => {
  assert.deepEqual([0, 1, 250, 1000, 1500, 1_000_000].map(milliCPUToShares), [2, 2, 256, 1024, 1536, 262144]);
});

test('milliCPUToQuota: 0 without a limit, at least 1000', () => {
  assert.deepEqual([0, 1, 5, 250, 500, 2000].map((m) => milliCPUToQuota(m, 100000)), [0, 1000, 1000, 25000, 50000, 200000]);
});

const cases: { name: string; requests?: Record<string, string>; limits?: Record<string, string>; want: Obj }[] = [
  { name: 'nothing: minimum shares, no quota, no memory limit', want: { cpuShares: 2, cpuPeriod: 100000 } },
  { name: 'requests.cpu 250m → 256 shares', requests: { cpu: '250m' }, want: { cpuShares: 256, cpuPeriod: 100000 } },
  { name: 'limits.cpu 500m → quota 50000 per 100000', requests: { cpu: '100m' }, limits: { cpu: '500m' },
    want: { cpuShares: 102, cpuPeriod: 100000, cpuQuota: 50000 } },
  { name: 'a limit without a request gives shares from the limit', limits: { cpu: '2' }, want: { cpuShares: 2048, cpuPeriod: 100000, cpuQuota: 200000 } },
  { name: 'memory 64Mi → 67108864 bytes', limits: { memory: '64Mi' }, want: { cpuShares: 2, cpuPeriod: 100000, memoryLimitInBytes: 67108864 } },
  { name: 'memory 1G → 10^9 bytes', limits: { memory: '1G' }, want: { cpuShares: 2, cpuPeriod: 100000, memoryLimitInBytes: 1e9 } },
  { name: 'an explicit zero request stays minimal', requests: { cpu: '0' }, limits: { cpu: '1' }, want: { cpuShares: 2, cpuPeriod: 100000, cpuQuota: 100000 } },
];
for (const c of cases) test(c.name, () => assert.deepEqual(linuxResources(c.requests, c.limits), c.want));

const GiB = 2 ** 30;
const pod = (containers: Obj[], spec: Obj = {}): Obj => ({ metadata: { name: 'p' }, spec: { ...spec, containers } });
const ctr = (requests?: Obj, limits?: Obj): Obj => ({ name: 'c', resources: { requests, limits } });

test('oom_score_adj: Guaranteed -997, BestEffort 1000, Burstable by its memory request', () => {
  const g = ctr({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' });
  assert.equal(oomScoreAdj(pod([g]), g, 4 * GiB), -997);
  const be = ctr();
  assert.equal(oomScoreAdj(pod([be]), be, 4 * GiB), 1000);
  const quarter = ctr({ memory: '1Gi' });
  assert.equal(oomScoreAdj(pod([quarter]), quarter, 4 * GiB), 750);
  const cpuOnly = ctr({ cpu: '1' });
  assert.equal(oomScoreAdj(pod([cpuOnly]), cpuOnly, 4 * GiB), 999, 'never equal to BestEffort');
  const huge = ctr({ memory: '4Gi' });
  assert.equal(oomScoreAdj(pod([huge]), huge, 4 * GiB), 3, 'never below 3');
  const critical = pod([be], { priority: 2_000_001_000, priorityClassName: 'system-node-critical' });
  assert.equal(oomScoreAdj(critical, be, 4 * GiB), -997);
});

test('containerResources adds the oom_score_adj', () => {
  const c = ctr({ cpu: '250m', memory: '64Mi' }, { cpu: '500m', memory: '64Mi' });
  assert.deepEqual(containerResources(pod([c]), c, 64 * 2 ** 20 * 10),
    { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 67108864, oomScoreAdj: 900 });
});

test('sandbox resources: sum of containers, or the largest init container when bigger', () => {
  const p: Obj = { spec: {
    containers: [ctr({ cpu: '100m' }, { cpu: '200m', memory: '32Mi' }), ctr({ cpu: '150m' }, { memory: '32Mi' })],
    initContainers: [ctr({ cpu: '1' }, { memory: '16Mi' })],
  } };
  assert.deepEqual(sandboxResources(p), { cpuShares: 1024, cpuPeriod: 100000, cpuQuota: 20000, memoryLimitInBytes: 64 * 2 ** 20 });
  assert.deepEqual(sandboxResources({ spec: { containers: [ctr()] } }), { cpuShares: 2, cpuPeriod: 100000 });
});
