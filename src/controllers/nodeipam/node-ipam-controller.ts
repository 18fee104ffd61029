/**
 * @module The node IPAM controller (kube-controller-manager's "nodeipam" with --allocate-node-cidrs
 * and the range allocator): gives every Node without spec.podCIDR a subnet of the cluster CIDR, so
 * that each node's pods get addresses no other node hands out. CIDRs that nodes already hold are
 * marked used as the informer delivers them (before any allocation, so a restart never gives one
 * twice); a deleted node's subnet is freed. The write is a merge patch of spec only, which never
 * conflicts with the kubelet's status writes; the API forbids changing a podCIDR once set, so a
 * node that got one meanwhile keeps its own and our reservation goes back to the pool.
 */
import { isInvalid, isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler } from '../../client/controller.js';
import type { Informer } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { CIDRSet } from './cidr-set.js';

export const Name = 'nodeipam';
const FieldManager = 'kube-controller-manager';
export const DefaultClusterCIDR = '10.42.0.0/16';
export const DefaultNodeCIDRMaskSize = 24;
export const EventCIDRNotAvailable = 'CIDRNotAvailable';
export const EventPodCIDROutOfRange = 'PodCIDROutOfRange';

export interface NodeIPAMOptions { clusterCIDR: string; nodeCIDRMaskSize?: number }

/** The node's IPv4 pod CIDRs (podCIDRs, or podCIDR from before dual-stack). */
const podCIDRsOf = (node: Obj): string[] =>
  (node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [])
    .filter((c: string) => !c.includes(':'));
const hasPodCIDR = (node: Obj) => Boolean(node.spec?.podCIDR || node.spec?.podCIDRs?.length);
/** What an Event about the node names (the informer's copy may lack kind). */
const nodeRef = (node: Obj): Obj => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.uid } });

export class NodeIPAMController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  private readonly cidrs: CIDRSet;
  private nodes!: Informer;
  /** CIDRs given out but not yet seen on their node. */
  private readonly reserved = new Map<string, string>();
  /** Nodes told once that no CIDR was free; queued again when one is released. */
  private readonly waiting = new Set<string>();
  /** Nodes told once that their podCIDR lies outside the cluster CIDR. */
  private readonly outOfRange = new Set<string>();

  /** Throws an Error for a cluster CIDR or mask size that cannot be used. */
  constructor(private readonly ctx: ControllerContext, opts: NodeIPAMOptions = { clusterCIDR: DefaultClusterCIDR }) {
    this.client = ctx.client;
    this.events = ctx.recorder('cidrAllocator');
    this.cidrs = new CIDRSet(opts.clusterCIDR, opts.nodeCIDRMaskSize ?? DefaultNodeCIDRMaskSize);
  }

  setup(): void {
    this.nodes = this.ctx.informers.informer(ref('Node').type);
    this.nodes.addHandler({
      add: (n) => this.observe(n),
      update: (_o, n) => this.observe(n),
      delete: (n) => this.forget(n),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: 4, signal });
  }

  /** Gives the node a CIDR when it has none and one is free. */
  async reconcile(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node || hasPodCIDR(node)) return;
    const cidr = this.reserved.get(name) ?? this.cidrs.allocateNext(name);
    if (!cidr) {
      if (!this.waiting.has(name)) {
        this.waiting.add(name);
        this.events.event(nodeRef(node), 'Warning', EventCIDRNotAvailable, `Node ${name} status is now: ${EventCIDRNotAvailable}`);
      }
      return;
    }
    this.waiting.delete(name);
    this.reserved.set(name, cidr);
    try {
      await this.client.patch(ref('Node'), name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, { fieldManager: FieldManager });
    } catch (e) {
      this.unreserve(name);
      // Gone, or given another CIDR meanwhile (the API refuses to change it): the watch brings what it holds.
      if (isNotFound(e) || isInvalid(e)) return;
      throw e;
    }
  }

  /** Marks what the node holds as used, or queues it for a CIDR. */
  private observe(node: Obj): void {
    const name: string = node.metadata.name;
    if (!hasPodCIDR(node)) {
      if (!this.waiting.has(name)) this.queue.add(name);
      return;
    }
    const held = podCIDRsOf(node);
    const mine = this.reserved.get(name);
    if (mine !== undefined && !held.includes(mine)) this.unreserve(name);
    this.reserved.delete(name);
    this.waiting.delete(name);
    for (const cidr of held) {
      if (this.cidrs.occupy(cidr, name) || this.outOfRange.has(name)) continue;
      this.outOfRange.add(name);
      this.events.event(nodeRef(node), 'Warning', EventPodCIDROutOfRange,
        `Node ${name} has pod CIDR ${cidr} outside the cluster CIDR ${this.cidrs.clusterCIDR}: kept as it is`);
    }
  }

  /** Frees a deleted node's CIDRs and offers them to the nodes waiting for one. */
  private forget(node: Obj): void {
    const name: string = node.metadata.name;
    for (const cidr of podCIDRsOf(node)) this.cidrs.release(cidr, name);
    this.unreserve(name);
    this.waiting.delete(name);
    this.outOfRange.delete(name);
    if (this.cidrs.free === 0) return;
    for (const w of this.waiting) this.queue.add(w);
  }

  private unreserve(name: string): void {
    const cidr = this.reserved.get(name);
    if (cidr === undefined) return;
    this.reserved.delete(name);
    this.cidrs.release(cidr, name);
  }
}
