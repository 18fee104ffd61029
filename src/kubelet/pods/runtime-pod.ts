/**
 * @module What the runtime has for one pod, found by the pod-uid label (kubelet's GetPodStatus):
 * its sandboxes and containers, newest first, with each container's CRI status. Container
 * statuses are cached by id and state — a status only changes when the state does — so a sync
 * costs two list calls plus a status call per container that changed.
 */
import { Labels, type ContainerState, type ContainerStatus, type PodSandbox, type RuntimeService } from '../cri/types.js';
import { Annotations } from '../spec/labels.js';
import { isCRINotFound } from './cri-errors.js';

export interface RuntimeContainer {
  id: string;
  name: string;
  sandboxId: string;
  state: ContainerState;
  /** Nanoseconds since the epoch, as a decimal string. */
  createdAt: string;
  restartCount: number;
  status: ContainerStatus;
}

export interface RuntimePod {
  uid: string;
  /** Newest first. */
  sandboxes: PodSandbox[];
  /** Newest first (by restart count, then creation). */
  containers: RuntimeContainer[];
}

/** Nanosecond timestamps (decimal strings) to milliseconds; 0 for "never". */
export const nsToMs = (ns: string | undefined): number => (ns && ns !== '0' ? Number(BigInt(ns) / 1_000_000n) : 0);

const newestFirst = (a: { createdAt: string }, b: { createdAt: string }) => {
  const d = BigInt(b.createdAt || '0') - BigInt(a.createdAt || '0');
  return d > 0n ? 1 : d < 0n ? -1 : 0;
};

export class RuntimePodReader {
  private readonly statuses = new Map<string, ContainerStatus>();

  constructor(private readonly runtime: RuntimeService) {}

  /** Reads the pod's sandboxes and containers. Throws CRI errors other than a container vanishing meanwhile. */
  async read(uid: string): Promise<RuntimePod> {
    const selector = { labelSelector: { [Labels.podUID]: uid } };
    const [sandboxes, listed] = await Promise.all([this.runtime.listPodSandbox(selector), this.runtime.listContainers(selector)]);
    const containers: RuntimeContainer[] = [];
    await Promise.all(listed.map(async (c) => {
      let status = this.statuses.get(c.id);
      if (!status || status.state !== c.state) {
        try {
          status = await this.runtime.containerStatus(c.id);
        } catch (e) {
          if (isCRINotFound(e)) return; // removed between the list and the status call
          throw e;
        }
        this.statuses.set(c.id, status);
      }
      const restartCount = Number(c.annotations?.[Annotations.restartCount] ?? c.metadata.attempt ?? 0) || 0;
      containers.push({ id: c.id, name: c.metadata.name, sandboxId: c.podSandboxId, state: status.state, createdAt: c.createdAt, restartCount, status });
    }));
    containers.sort((a, b) => b.restartCount - a.restartCount || newestFirst(a, b));
    return { uid, sandboxes: [...sandboxes].sort(newestFirst), containers };
  }

  /** Drops cached statuses of containers that were removed. */
  forget(containerIds: Iterable<string>): void {
    for (const id of containerIds) this.statuses.delete(id);
  }
}

/** The containers of `name`, newest first. */
export const containersNamed = (rp: RuntimePod, name: string): RuntimeContainer[] => rp.containers.filter((c) => c.name === name);
