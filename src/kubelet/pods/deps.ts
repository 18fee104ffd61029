/**
 * @module The parts the pod workers drive besides the runtime, as interfaces: the pod → CRI config
 * translation (src/kubelet/spec), volumes (src/kubelet/volumes) and probes (src/kubelet/probes).
 * The Kubelet passes the real ones; unit tests pass small stand-ins.
 */
import type { Obj } from '../../client/client.js';
import type { ContainerConfig, Mount, PodSandboxConfig } from '../cri/types.js';
import type { ContainerConfigInput, DNSOptions } from '../spec/index.js';

/** Reads ConfigMaps and Secrets (undefined when missing; rejects on other failures). */
export type { ConfigSource as ConfigSourceLike } from '../spec/config-source.js';

export interface PodSpecBuilder {
  /** Throws for a pod that cannot have a sandbox (bad hostname, malformed quantity). */
  buildSandboxConfig(pod: Obj, o: { logRoot: string; cgroupRoot: string; attempt?: number; dns?: DNSOptions }): PodSandboxConfig;
  /** Rejects with an error whose `reason` is "CreateContainerConfigError" when the pod's config cannot be resolved. */
  buildContainerConfig(i: ContainerConfigInput): Promise<ContainerConfig>;
  qosClass(pod: Obj): string;
  /** Removes the pod's cgroup directories (ignores missing ones). */
  removePodCgroups(cgroupParent: string): Promise<void>;
}

export interface PodVolumes {
  /**
   * Rejects with an error whose `reason` is "FailedMount" and whose message is the kubelet's
   * (VolumeError: one message per failed volume in `failures`).
   */
  setUpPod(pod: Obj): Promise<void>;
  mountsFor(pod: Obj, container: Obj, podIPs?: string[]): Mount[];
  refreshPod(pod: Obj): Promise<void>;
  tearDownPod(podUID: string): Promise<void>;
  podDirs(): Promise<string[]>;
}

export interface ProbeTarget { pod: Obj; container: Obj; containerId: string; podIP: string; startedAtMs: number }

export interface PodProbes {
  addContainer(t: ProbeTarget): void;
  removeContainer(containerId: string): void;
  removePod(podUID: string): void;
  isReady(containerId: string): boolean;
  isStarted(containerId: string): boolean;
  /** Set once liveness (or startup) failed failureThreshold times: the kubelet's kill message. */
  livenessFailure(containerId: string): string | undefined;
  stop(): void;
}

/** The kubelet messages of a volume error: one per failed volume, else the error's message. */
export const failureMessages = (e: unknown): string[] => {
  const f = (e as { failures?: { message?: unknown }[] })?.failures;
  return Array.isArray(f) && f.length ? f.map((x) => String(x.message)) : [(e as Error)?.message ?? String(e)];
};

/** The error reason an error carries (VolumeError, ContainerConfigError), if any. */
export const reasonOfError = (e: unknown): string | undefined => {
  const r = (e as { reason?: unknown })?.reason;
  return typeof r === 'string' ? r : undefined;
};
