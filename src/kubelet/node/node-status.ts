/**
 * @module The status a real node reports: capacity from the machine, allocatable = capacity minus
 * system-reserved and the hard eviction thresholds (as the kubelet's node allocatable), addresses,
 * the kubelet endpoint, nodeInfo with the runtime's version, and the conditions.
 */
import type { Obj } from '../../client/client.js';
import { parseQuantity, quantityString, sub, toNumber, type Quantity } from '../../apimachinery/quantity/index.js';
import type { Image, VersionResponse } from '../cri/types.js';
import { nodeConditions, type NodeHealth } from './conditions.js';
import type { MachineInfo, MachineUsage } from './machine-info.js';
import { nodeArch } from './registration.js';

export const KubeletVersion = 'v1.32.0';

/** Resources kept from pods (system-reserved); the kubelet's defaults here. */
export type Reserved = Partial<Record<'cpu' | 'memory' | 'ephemeral-storage' | 'pods', string>>;
export const DefaultReserved: Reserved = { cpu: '100m', memory: '256Mi' };
/** Hard eviction thresholds subtracted from allocatable: memory.available<100Mi, nodefs.available<10%. */
export const EvictionMemory = '100Mi';
export const EvictionNodefsFraction = 0.1;
export const MaxPods = 110;

/** Capacity as the kubelet reports it (memory and storage in bytes/Ki), with overrides applied. */
export function nodeCapacity(m: MachineInfo, overrides?: Record<string, string>): Record<string, string> {
  return {
    cpu: String(m.cpus),
    memory: `${Math.floor(m.memoryBytes / 1024)}Ki`,
    pods: String(MaxPods),
    'ephemeral-storage': `${Math.floor(m.fsCapacityBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    ...overrides,
  };
}

const clampSub = (a: Quantity, b: Quantity): Quantity => {
  const d = sub(a, b);
  return d.unscaled < 0n ? { ...d, unscaled: 0n } : d;
};

/** Capacity minus `reserved` and the eviction thresholds; never below zero. Throws QuantityError on a malformed amount. */
export function nodeAllocatable(capacity: Record<string, string>, reserved: Reserved = DefaultReserved): Record<string, string> {
  const out: Record<string, string> = { ...capacity };
  for (const [name, amount] of Object.entries(reserved)) {
    if (amount !== undefined && capacity[name] !== undefined) out[name] = quantityString(clampSub(parseQuantity(out[name]), parseQuantity(amount)));
  }
  if (out.memory) out.memory = quantityString(clampSub(parseQuantity(out.memory), parseQuantity(EvictionMemory)));
  if (capacity['ephemeral-storage']) {
    const cap = toNumber(parseQuantity(capacity['ephemeral-storage']));
    out['ephemeral-storage'] = String(Math.max(0, Math.floor(toNumber(parseQuantity(out['ephemeral-storage'])) - cap * EvictionNodefsFraction)));
  }
  return out;
}

/** Pressure as the eviction manager would see it with the default hard thresholds. */
export function pressure(u: MachineUsage): Pick<NodeHealth, 'memoryPressure' | 'diskPressure'> {
  return {
    memoryPressure: u.memoryAvailableBytes < toNumber(parseQuantity(EvictionMemory)),
    diskPressure: u.fsAvailableBytes < u.fsCapacityBytes * EvictionNodefsFraction,
  };
}

export interface NodeStatusInput {
  nodeName: string;
  nodeIP: string;
  kubeletPort: number;
  machine: MachineInfo;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  runtime: VersionResponse;
  health: NodeHealth;
  /** The stored node's conditions (their transition times are kept). */
  previous?: Obj[];
  now: number;
}

export function buildNodeStatus(i: NodeStatusInput): Obj {
  const m = i.machine;
  return {
    capacity: i.capacity,
    allocatable: i.allocatable,
    conditions: nodeConditions(i.health, i.previous, i.now),
    addresses: [{ type: 'InternalIP', address: i.nodeIP }, { type: 'Hostname', address: i.nodeName }],
    daemonEndpoints: { kubeletEndpoint: { Port: i.kubeletPort } },
    nodeInfo: {
      machineID: m.machineID, systemUUID: m.systemUUID, bootID: m.bootID, kernelVersion: m.kernelVersion, osImage: m.osImage,
      containerRuntimeVersion: `${i.runtime.runtimeName}://${i.runtime.runtimeVersion}`,
      kubeletVersion: KubeletVersion, kubeProxyVersion: KubeletVersion, operatingSystem: 'linux', architecture: nodeArch(),
    },
  };
}

/** The kubelet's nodeStatusMaxImages. */
export const MaxNodeImages = 50;

/** node.status.images: the largest images first, each with its tags and digests, as the kubelet reports them. */
export function nodeImages(images: Image[]): Obj[] {
  return images
    .map((i) => ({ names: [...(i.repoDigests ?? []), ...(i.repoTags ?? [])], sizeBytes: Number(i.size) || 0 }))
    .filter((i) => i.names.length > 0)
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, MaxNodeImages);
}
