/**
 * @module One hollow node, as kubemark's hollow kubelet: registers a Node, heartbeats through a
 * Lease in kube-node-lease and the Ready condition, turns its bound pods Running with fake IPs
 * and confirms their deletion — all through the Client, with no containers.
 */
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import type { Result } from '../../client/controller.js';
import { ref } from '../../client/kind-ref.js';
import { nodeConditions } from '../node/conditions.js';
import { NodeLease } from '../node/lease.js';
import { KubeletVersion } from '../node/node-status.js';
import { nodeArch, nodeLabels, registerNode } from '../node/registration.js';
import { NodeStatusReporter } from '../node/status-reporter.js';
import { exitAfterSeconds, reassertedStatus, readyDrifted, runningStatus, succeededStatus } from './pod-status.js';

/** Resource amounts of a hollow node (capacity and allocatable alike). */
export interface HollowCapacity { cpu: string; memory: string; pods: string }
export const DefaultCapacity: HollowCapacity = { cpu: '4', memory: '16Gi', pods: '110' };

export interface HollowNodeOptions {
  client: Client;
  /** Lease renewals and node status go through this one (default: client), so they need not queue behind pod writes. */
  heartbeatClient?: Client;
  nodeName: string;
  /** Distinct per node of one process: picks the node's fake InternalIP and pod CIDR (0 … 65535). */
  index: number;
  capacity?: Partial<HollowCapacity>;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** The Lease's leaseDurationSeconds (kubelet's nodeLeaseDurationSeconds, 40). */
  leaseDurationSeconds?: number;
  now?: () => number;
  /** Called by resumeHeartbeats(), e.g. to sync the node's pods again. */
  onResume?: () => void;
}

export class HollowNode {
  readonly name: string;
  readonly internalIP: string;
  readonly podCIDR: string;
  private readonly client: Client;
  private readonly now: () => number;
  private readonly capacity: HollowCapacity;
  private readonly lease: NodeLease;
  private readonly reporter: NodeStatusReporter;
  /** The conditions last reported, for their transition times when no stored Node is at hand. */
  private conditions?: Obj[];
  private heartbeating = true;
  /** Pod UID → last octet of its IP in the node's /24 (2 … 254). */
  private readonly podIPs = new Map<string, number>();

  constructor(private readonly opts: HollowNodeOptions) {
    this.client = opts.client;
    this.name = opts.nodeName;
    this.now = opts.now ?? Date.now;
    this.capacity = { ...DefaultCapacity, ...opts.capacity };
    const heartbeats = opts.heartbeatClient ?? opts.client;
    this.lease = new NodeLease({ client: heartbeats, nodeName: opts.nodeName, leaseDurationSeconds: opts.leaseDurationSeconds, now: this.now });
    this.reporter = new NodeStatusReporter({ client: heartbeats, nodeName: opts.nodeName, now: this.now });
    const i = opts.index;
    if (!(Number.isInteger(i) && i >= 0 && i < 65536)) throw new Error(`hollow node index ${i} out of range 0-65535`);
    this.internalIP = `127.1.${i >> 8}.${(i & 255)}`;
    this.podCIDR = `10.${64 + (i >> 8)}.${i & 255}.0/24`;
  }

  /** False after stopHeartbeats(): the node writes nothing, as a dead kubelet. */
  get alive(): boolean { return this.heartbeating; }

  /** Stops lease renewal, status reports and pod syncs (a dead node, for tests). */
  stopHeartbeats(): void { this.heartbeating = false; }

  /** Comes back to life: the next heartbeat renews the lease and reports Ready again. */
  resumeHeartbeats(): void {
    this.heartbeating = true;
    this.conditions = undefined;
    this.reporter.reset();
    this.opts.onResume?.();
  }

  /** Creates the Node (or reports status on an existing one) and its Lease. Throws on API errors. */
  async register(): Promise<void> {
    const node: Obj = {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: this.name, labels: nodeLabels(this.name, this.opts.labels) },
      spec: { podCIDR: this.podCIDR, podCIDRs: [this.podCIDR] },
      status: this.nodeStatus(undefined),
    };
    const { node: stored, created } = await registerNode(this.client, node);
    this.lease.setOwner(stored.metadata.uid);
    if (!created) await this.reporter.report(this.nodeStatus(stored));
    await this.renewLease();
  }

  /** Renews the node's Lease (creating it when missing), as the kubelet's lease controller. */
  async renewLease(): Promise<void> {
    if (this.heartbeating) await this.lease.renew();
  }

  /**
   * Reports node status when `intervalMs` passed since the last report or when the stored Ready
   * condition is not this node's own (the node lifecycle controller changed it), as the kubelet's
   * nodeStatusReportFrequency and its comparison with the stored node.
   */
  async maybeReportStatus(stored: Obj | undefined, intervalMs: number): Promise<void> {
    if (this.heartbeating) await this.reporter.maybeReport(this.nodeStatus(stored), stored, intervalMs);
  }

  /** Writes the node's status (conditions with a fresh lastHeartbeatTime) through the status subresource. */
  async reportStatus(): Promise<void> {
    if (this.heartbeating) await this.reporter.report(this.nodeStatus(undefined));
  }

  /**
   * Brings one of this node's pods to the state a kubelet would: confirms deletion of a pod with a
   * deletionTimestamp, starts a new pod (status Running), writes back a Ready condition someone
   * else changed, and completes a finite pod that asked to exit. Returns when to look at the pod again. Throws on API errors (the caller retries).
   */
  async syncPod(pod: Obj): Promise<Result | void> {
    if (!this.heartbeating) return;
    const pods = ref('Pod', pod.metadata.namespace);
    const uid: string = pod.metadata.uid;
    if (pod.metadata.deletionTimestamp) {
      try {
        await this.client.delete(pods, pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
      this.releasePod(uid);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.releasePod(uid);
      return;
    }
    const now = this.now();
    if (phase !== 'Running') {
      const status = runningStatus({ pod, hostIP: this.internalIP, podIP: this.podIP(pod), startedAt: now });
      await this.client.updateStatus(pods, { ...pod, status });
      const after = exitAfterSeconds(pod);
      return after === undefined ? undefined : { requeueAfterMs: after * 1000 };
    }
    this.claimIP(pod);
    if (readyDrifted(pod)) {
      await this.client.updateStatus(pods, { ...pod, status: reassertedStatus({ pod, hostIP: this.internalIP, podIP: this.podIP(pod) }, now) });
      return;
    }
    const after = exitAfterSeconds(pod);
    if (after === undefined) return;
    const finishAt = Date.parse(pod.status.startTime ?? '') + after * 1000;
    if (now < finishAt) return { requeueAfterMs: finishAt - now };
    await this.client.updateStatus(pods, { ...pod, status: succeededStatus(pod, now) });
    this.releasePod(uid);
  }

  /** Frees what the node held for a pod that is gone. */
  releasePod(uid: string): void { this.podIPs.delete(uid); }

  private nodeStatus(stored: Obj | undefined): Obj {
    const conditions = nodeConditions({}, stored?.status?.conditions ?? this.conditions, this.now());
    this.conditions = conditions;
    const resources = { cpu: this.capacity.cpu, memory: this.capacity.memory, pods: this.capacity.pods, 'ephemeral-storage': '100Gi' };
    return {
      capacity: resources, allocatable: resources, conditions,
      addresses: [{ type: 'InternalIP', address: this.internalIP }, { type: 'Hostname', address: this.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: this.name, systemUUID: this.name, bootID: this.name, kernelVersion: '6.1.0-hollow', osImage: 'tugboat hollow node',
        containerRuntimeVersion: 'fake://0.1.0', kubeletVersion: KubeletVersion, kubeProxyVersion: KubeletVersion,
        operatingSystem: 'linux', architecture: nodeArch(),
      },
    };
  }

  /** The pod's IP: the host's for hostNetwork pods, else the lowest free address of the node's /24. */
  private podIP(pod: Obj): string {
    if (pod.spec?.hostNetwork) return this.internalIP;
    const uid = pod.metadata.uid;
    let octet = this.podIPs.get(uid);
    if (octet === undefined) {
      const used = new Set(this.podIPs.values());
      for (octet = 2; octet < 255 && used.has(octet); octet++);
      if (octet === 255) throw new Error(`node ${this.name}: no free pod IP in ${this.podCIDR}`);
      this.podIPs.set(uid, octet);
    }
    return this.podCIDR.replace(/\.0\/24$/, `.${octet}`);
  }

  /** Remembers the IP of a pod found running (after a restart of the hollow node process). */
  private claimIP(pod: Obj): void {
    const ip: string | undefined = pod.status?.podIP;
    const prefix = this.podCIDR.replace(/0\/24$/, '');
    if (ip?.startsWith(prefix) && !this.podIPs.has(pod.metadata.uid)) this.podIPs.set(pod.metadata.uid, Number(ip.slice(prefix.length)));
  }
}
