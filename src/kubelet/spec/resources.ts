/**
 * @module Requests and limits as CRI LinuxContainerResources, with the kubelet's arithmetic
 * (cm.MilliCPUToShares, milliCPUToQuota, calculateLinuxResources) and its oom_score_adj policy
 * (pkg/kubelet/qos/policy.go), so containerd programs the same cgroup numbers Kubernetes would.
 */
import type { Obj } from '../../client/client.js';
import { milliValue, parseQuantity, value } from '../../apimachinery/quantity/index.js';
import type { LinuxContainerResources } from '../cri/types.js';
import { qosClass } from './qos.js';

export const MinShares = 2;
export const MaxShares = 262144;
export const QuotaPeriod = 100000;
const MinQuotaPeriod = 1000;

export const GuaranteedOOMScoreAdj = -997;
export const BestEffortOOMScoreAdj = 1000;
const SystemCriticalPriority = 2_000_000_000;

/** CPU shares for a request in millicores: 1024 per core, at least 2 (also for no request). */
export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU === 0) return MinShares;
  const shares = Math.floor((milliCPU * 1024) / 1000);
  return Math.min(MaxShares, Math.max(MinShares, shares));
}

/** CFS quota (µs per period) for a limit in millicores; 0 (unlimited) without a limit, else at least 1 ms. */
export function milliCPUToQuota(milliCPU: number, period: number): number {
  if (milliCPU === 0) return 0;
  return Math.max(MinQuotaPeriod, Math.floor((milliCPU * period) / 1000));
}

const amount = (list: Record<string, string> | undefined, name: string) => {
  const v = list?.[name];
  return v === undefined ? undefined : parseQuantity(String(v));
};

/**
 * calculateLinuxResources: shares from the cpu request (from the limit when only a limit is set),
 * quota from the cpu limit with a 100 ms period, the memory limit in bytes.
 */
export function linuxResources(requests: Record<string, string> | undefined, limits: Record<string, string> | undefined): LinuxContainerResources {
  const cpuRequest = amount(requests, 'cpu');
  const cpuLimit = milliValue(amount(limits, 'cpu') ?? parseQuantity('0'));
  const memoryLimit = value(amount(limits, 'memory') ?? parseQuantity('0'));
  const shares = cpuRequest === undefined && cpuLimit !== 0 ? milliCPUToShares(cpuLimit) : milliCPUToShares(cpuRequest ? milliValue(cpuRequest) : 0);
  const out: LinuxContainerResources = { cpuShares: shares, cpuPeriod: QuotaPeriod };
  const quota = milliCPUToQuota(cpuLimit, QuotaPeriod);
  if (quota !== 0) out.cpuQuota = quota;
  if (memoryLimit !== 0) out.memoryLimitInBytes = memoryLimit;
  return out;
}

/** types.IsNodeCriticalPod for pods from the API: critical priority and the system-node-critical class. */
const isNodeCritical = (pod: Obj) =>
  (pod.spec?.priority ?? 0) >= SystemCriticalPriority && pod.spec?.priorityClassName === 'system-node-critical';

/**
 * qos.GetContainerOOMScoreAdjust: -997 for Guaranteed (and node-critical) pods, 1000 for BestEffort;
 * Burstable containers get 1000 − 1000·request/capacity, kept within 3..999.
 */
export function oomScoreAdj(pod: Obj, container: Obj, memoryCapacity: number): number {
  if (isNodeCritical(pod)) return GuaranteedOOMScoreAdj;
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') return GuaranteedOOMScoreAdj;
  if (qos === 'BestEffort') return BestEffortOOMScoreAdj;
  const request = value(amount(container.resources?.requests, 'memory') ?? parseQuantity('0'));
  const adj = 1000 - Math.floor((1000 * request) / memoryCapacity);
  if (adj < 1000 + GuaranteedOOMScoreAdj) return 1000 + GuaranteedOOMScoreAdj;
  if (adj === BestEffortOOMScoreAdj) return adj - 1;
  return adj;
}

/** A container's resources for CreateContainer: cgroup numbers plus its oom_score_adj. */
export function containerResources(pod: Obj, container: Obj, memoryCapacity: number): LinuxContainerResources {
  return {
    ...linuxResources(container.resources?.requests, container.resources?.limits),
    oomScoreAdj: oomScoreAdj(pod, container, memoryCapacity),
  };
}

/**
 * resourcehelper.PodRequests / PodLimits without overhead: per resource, the larger of the sum
 * over containers and the largest init container.
 */
function podTotals(pod: Obj, which: 'requests' | 'limits'): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const name of ['cpu', 'memory']) {
    const read = (c: Obj) => amount(c.resources?.[which], name);
    const toNumber = (c: Obj) => { const a = read(c); return a === undefined ? undefined : name === 'cpu' ? milliValue(a) : value(a); };
    const sums: (number | undefined)[] = (pod.spec?.containers ?? []).map(toNumber);
    const inits: (number | undefined)[] = (pod.spec?.initContainers ?? []).map(toNumber);
    if ([...sums, ...inits].every((x) => x === undefined)) continue;
    const total = Math.max(sums.reduce<number>((a, b) => a + (b ?? 0), 0), ...inits.map((x) => x ?? 0));
    out[name] = name === 'cpu' ? `${total}m` : String(total);
  }
  return Object.keys(out).length ? out : undefined;
}

/** calculateSandboxResources: the pod's total as one LinuxContainerResources (for the sandbox). */
export function sandboxResources(pod: Obj): LinuxContainerResources {
  return linuxResources(podTotals(pod, 'requests'), podTotals(pod, 'limits'));
}
