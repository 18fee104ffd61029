/**
 * @module The real node's registration and heartbeats: registers the Node from what the machine
 * and the runtime say, renews its Lease every 10 s, and recomputes the status every 10 s but
 * writes it only when it changed or a minute passed (nodeStatusUpdateFrequency /
 * nodeStatusReportFrequency). Ready is False (KubeletNotReady) while the runtime says not ready.
 */
import type { Client, Obj } from '../../client/client.js';
import { sleep } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import type { ImageService, RuntimeService } from '../cri/types.js';
import type { NodeHealth } from './conditions.js';
import { NodeLease } from './lease.js';
import { readMachineInfo, readMachineUsage, type MachineInfo } from './machine-info.js';
import { buildNodeStatus, DefaultReserved, nodeAllocatable, nodeCapacity, nodeImages, pressure, type Reserved } from './node-status.js';
import { nodeLabels, registerNode } from './registration.js';
import { NodeStatusReporter } from './status-reporter.js';

export interface NodeHeartbeatOptions {
  client: Client;
  nodeName: string;
  nodeIP: string;
  kubeletPort: number;
  runtime: Pick<RuntimeService, 'version' | 'status'>;
  /** The node's images are listed in its status (for the scheduler's ImageLocality). */
  images?: Pick<ImageService, 'listImages'>;
  rootDir: string;
  /** Given to the Node when it has no spec.podCIDR yet. */
  podCIDR?: string;
  labels?: Record<string, string>;
  /** Replaces measured capacity entries (e.g. { cpu: '8' }). */
  capacityOverrides?: Record<string, string>;
  reserved?: Reserved;
  /** Lease renewal and status computation period (kubelet: 10 s). */
  intervalMs?: number;
  /** An unchanged status is still written after this long (default 1 min). */
  reportIntervalMs?: number;
  now?: () => number;
  log: { warn(msg: string): void };
}

export class NodeHeartbeat {
  private machine?: MachineInfo;
  private readonly lease: NodeLease;
  private readonly reporter: NodeStatusReporter;
  private readonly now: () => number;
  private capacity: Record<string, string> = {};
  private allocatable: Record<string, string> = {};
  private podCIDRValue?: string;

  constructor(private readonly o: NodeHeartbeatOptions) {
    this.now = o.now ?? Date.now;
    this.lease = new NodeLease({ client: o.client, nodeName: o.nodeName, now: this.now });
    this.reporter = new NodeStatusReporter({ client: o.client, nodeName: o.nodeName, now: this.now });
  }

  /** The node's pod CIDR once registered (the stored one wins over the option). */
  get podCIDR(): string | undefined { return this.podCIDRValue; }

  /** Registers the Node, reports its status and takes its Lease. Throws on API or machine errors. */
  async register(): Promise<Obj> {
    this.machine = await readMachineInfo(this.o.rootDir);
    this.capacity = nodeCapacity(this.machine, this.o.capacityOverrides);
    this.allocatable = nodeAllocatable(this.capacity, this.o.reserved ?? DefaultReserved);
    const cidr = this.o.podCIDR;
    const status = await this.status(undefined);
    const { node, created } = await registerNode(this.o.client, {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: this.o.nodeName, labels: nodeLabels(this.o.nodeName, this.o.labels) },
      spec: cidr ? { podCIDR: cidr, podCIDRs: [cidr] } : {},
      status,
    });
    this.podCIDRValue = node.spec?.podCIDR;
    this.lease.setOwner(node.metadata.uid);
    const reported = created ? node : await this.reporter.report(await this.status(node));
    await this.lease.renew();
    return reported;
  }

  /** Renews the Lease and reports status when due, every interval, until signal aborts. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const interval = this.o.intervalMs ?? 10_000;
    while (!signal.aborted) {
      await sleep(interval, signal);
      if (signal.aborted) return;
      try {
        await this.lease.renew();
      } catch (e) {
        this.o.log.warn(`node ${this.o.nodeName}: lease renewal failed: ${(e as Error).message}`);
      }
      try {
        const stored = await this.o.client.get(ref('Node'), this.o.nodeName);
        await this.reporter.maybeReport(await this.status(stored), stored, this.o.reportIntervalMs ?? 60_000);
      } catch (e) {
        this.o.log.warn(`node ${this.o.nodeName}: status report failed: ${(e as Error).message}`);
      }
    }
  }

  private async status(stored: Obj | undefined): Promise<Obj> {
    const health: NodeHealth = { ...pressure(await readMachineUsage(this.o.rootDir)), notReady: await this.runtimeProblem() };
    const runtime = await this.o.runtime.version().catch(() => ({ version: '', runtimeName: 'unknown', runtimeVersion: 'unknown', runtimeApiVersion: '' }));
    const status = buildNodeStatus({ nodeName: this.o.nodeName, nodeIP: this.o.nodeIP, kubeletPort: this.o.kubeletPort, machine: this.machine!,
      capacity: this.capacity, allocatable: this.allocatable, runtime, health, previous: stored?.status?.conditions, now: this.now() });
    if (this.o.images) status.images = nodeImages(await this.o.images.listImages().catch(() => []));
    return status;
  }

  /** Why the runtime makes the node not ready, in the kubelet's words; undefined when it is fine. */
  private async runtimeProblem(): Promise<string | undefined> {
    let conditions;
    try {
      conditions = (await this.o.runtime.status()).conditions;
    } catch (e) {
      return `container runtime is down: ${(e as Error).message}`;
    }
    const problems: string[] = [];
    for (const [type, what] of [['RuntimeReady', 'container runtime not ready'], ['NetworkReady', 'container runtime network not ready']]) {
      const c = conditions.find((x) => x.type === type);
      if (c && !c.status) problems.push(`${what}: ${type}=false reason:${c.reason} message:${c.message}`);
    }
    return problems.length ? problems.join(', ') : undefined;
  }
}
