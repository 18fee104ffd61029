/**
 * @module The node lifecycle controller (kube-controller-manager's "nodelifecycle"): watches node
 * heartbeats (Leases in kube-node-lease and the Ready condition), marks silent nodes Ready=Unknown,
 * keeps the not-ready / unreachable taints in step with Ready, and marks pods on lost nodes not Ready.
 */
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler } from '../../client/controller.js';
import { sleep, type Informer } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { managedTaint, noExecuteTaint, noScheduleTaints, readyStatus, type Taint } from './taints.js';

export const Name = 'nodelifecycle';
export const FieldManager = 'kube-controller-manager';
export const NodeLeaseNamespace = 'kube-node-lease';
export const EventNodeNotReady = 'NodeNotReady';

export interface NodeLifecycleOptions {
  /** How often node health is checked (--node-monitor-period, 5 s). */
  nodeMonitorPeriodMs: number;
  /** How long a node may go without a heartbeat before it is Unknown (--node-monitor-grace-period, 40 s). */
  nodeMonitorGracePeriodMs: number;
  /** How long a new node may take to post its first status (--node-startup-grace-period, 60 s). */
  nodeStartupGracePeriodMs: number;
  /** Nodes per second a zone may get NoExecute taints in a Normal state (--node-eviction-rate, 0.1). */
  nodeEvictionRate: number;
  /** Fraction of not-ready nodes that makes a zone unhealthy (--unhealthy-zone-threshold, 0.55). */
  unhealthyZoneThreshold: number;
  /** Zones up to this size stop tainting when partially disrupted (--large-cluster-size-threshold, 50). */
  largeClusterSizeThreshold: number;
}

export const DefaultNodeLifecycleOptions: Readonly<NodeLifecycleOptions> = {
  nodeMonitorPeriodMs: 5_000, nodeMonitorGracePeriodMs: 40_000, nodeStartupGracePeriodMs: 60_000,
  nodeEvictionRate: 0.1, unhealthyZoneThreshold: 0.55, largeClusterSizeThreshold: 50,
};

interface Health { probeAt: number; heartbeat?: string; renewTime?: string; ready?: string }
type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const zoneOf = (node: Obj) => {
  const l = node.metadata?.labels ?? {};
  return `${l['topology.kubernetes.io/region'] ?? ''}:\0:${l['topology.kubernetes.io/zone'] ?? ''}`;
};
const taintId = (t: Taint) => `${t.key}:${t.effect}`;
const byNodeName = 'spec.nodeName';

export class NodeLifecycleController implements Controller, Reconciler {
  readonly name = Name;
  /** Node names whose taints need a look. */
  readonly queue = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  private readonly opts: NodeLifecycleOptions;
  private readonly health = new Map<string, Health>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly lastNoExecuteTaint = new Map<string, number>();
  private nodes!: Informer;
  private leases!: Informer;
  private pods!: Informer;

  constructor(private readonly ctx: ControllerContext, opts: Partial<NodeLifecycleOptions> = {}) {
    this.client = ctx.client;
    this.events = ctx.recorder('node-controller');
    this.opts = { ...DefaultNodeLifecycleOptions, ...opts };
  }

  setup(): void {
    this.nodes = this.ctx.informers.informer(ref('Node').type);
    this.leases = this.ctx.informers.informer(ref('Lease').type, { namespace: NodeLeaseNamespace });
    this.pods = this.ctx.informers.informer(ref('Pod').type);
    this.pods.addIndex(byNodeName, (p) => [p.spec?.nodeName ?? '']);
    this.nodes.addHandler({
      add: (n) => this.queue.add(n.metadata.name),
      update: (_o, n) => this.queue.add(n.metadata.name),
      delete: (n) => { this.health.delete(n.metadata.name); },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const monitor = async () => {
      while (!signal.aborted) {
        try {
          await this.monitorNodeHealth();
        } catch (e) {
          if (!signal.aborted) process.emitWarning(`nodelifecycle: ${(e as Error).message}`);
        }
        await sleep(this.opts.nodeMonitorPeriodMs, signal);
      }
    };
    await Promise.all([monitor(), runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: 4, signal })]);
  }

  /**
   * One pass of upstream's monitorNodeHealth: updates each node's health from its heartbeats,
   * records NodeNotReady and marks its pods not Ready when it stops being Ready, then works out
   * each zone's state (which decides whether NoExecute taints may be added) and queues every node.
   */
  async monitorNodeHealth(): Promise<void> {
    const errors: unknown[] = [];
    for (const cached of this.nodes.list()) {
      try {
        const node = await this.tryUpdateNodeHealth(cached);
        const name: string = node.metadata.name;
        const h = this.health.get(name)!;
        const ready = readyStatus(node);
        if (h.ready === 'True' && ready !== 'True') {
          this.events.event({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } }, 'Normal', EventNodeNotReady,
            `Node ${name} status is now: ${EventNodeNotReady}`);
        }
        if (ready !== 'True' && ready !== undefined) await this.markPodsNotReady(name);
        h.ready = ready;
      } catch (e) {
        errors.push(e);
      }
    }
    const changedZones = this.updateZoneStates();
    // A node's own changes queue it (its informer handler); a pass adds only what time or its zone
    // changed: nodes not Ready (the rate-limited NoExecute taint) and nodes of zones that changed
    // state. Queueing all 5,000 nodes every 5 s kept the queue full and the taints late.
    for (const n of this.nodes.list()) {
      if (readyStatus(n) !== 'True' || changedZones.has(zoneOf(n))) this.queue.add(n.metadata.name);
    }
    if (errors.length) throw errors[0];
  }

  /** Keeps a node's managed taints in step with its conditions (and, for NoExecute, its zone's state). */
  async reconcile(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const current: Taint[] = node.spec?.taints ?? [];
    const want = new Map(noScheduleTaints(node).map((t) => [taintId(t), t]));
    const noExecute = noExecuteTaint(node);
    const zone = this.zoneStates.get(zoneOf(node)) ?? 'Normal';
    const now = this.ctx.now();
    if (noExecute) {
      const has = current.find((t) => taintId(t) === taintId(noExecute));
      if (has) want.set(taintId(has), has);
      else if (zone === 'Normal' && this.mayTaint(zoneOf(node), now)) {
        want.set(taintId(noExecute), { ...noExecute, timeAdded: rfc3339(now) });
        this.lastNoExecuteTaint.set(zoneOf(node), now);
      } else if (zone === 'Normal') {
        // Rate-limited: the next pass tries again.
        this.queue.addAfter(name, 1000 / this.opts.nodeEvictionRate);
      }
      // A fully disrupted zone loses its NoExecute taints: it is more likely the network than every node.
      if (zone === 'FullDisruption') want.delete(taintId(noExecute));
    }
    const next = [...current.filter((t) => !managedTaint(t) || want.has(taintId(t)))];
    for (const [id, t] of want) if (!next.some((x) => taintId(x) === id)) next.push(t);
    if (JSON.stringify(next) === JSON.stringify(current)) return;
    try {
      await this.client.patch(ref('Node'), name, 'merge',
        { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: next.length ? next : null } }, { fieldManager: FieldManager });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  /** Upstream's tryUpdateNodeHealth: a node silent past the grace period gets Unknown conditions. Returns the node as it now is. */
  private async tryUpdateNodeHealth(node: Obj): Promise<Obj> {
    const name: string = node.metadata.name;
    const now = this.ctx.now();
    const conditions: Obj[] = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    let h = this.health.get(name);
    if (!h) {
      h = { probeAt: now, heartbeat: ready?.lastHeartbeatTime, ready: ready?.status };
      this.health.set(name, h);
    } else if (ready?.lastHeartbeatTime !== h.heartbeat) {
      h.probeAt = now;
      h.heartbeat = ready?.lastHeartbeatTime;
    }
    const renewTime: string | undefined = this.leases.getByName(NodeLeaseNamespace, name)?.spec?.renewTime;
    if (renewTime && renewTime !== h.renewTime && (!h.renewTime || renewTime > h.renewTime)) {
      h.renewTime = renewTime;
      h.probeAt = now;
    }
    const grace = ready ? this.opts.nodeMonitorGracePeriodMs : this.opts.nodeStartupGracePeriodMs;
    if (now <= h.probeAt + grace) return node;
    const at = rfc3339(now);
    const next = structuredClone(conditions);
    let changed = false;
    if (!ready) {
      next.push({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: at });
      changed = true;
    }
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = next.find((x) => x.type === type);
      if (!c) {
        next.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
          lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: at });
        changed = true;
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at });
        changed = true;
      }
    }
    if (!changed) return node;
    try {
      return await this.client.updateStatus(ref('Node'), { ...node, status: { ...node.status, conditions: next } }, { fieldManager: FieldManager });
    } catch (e) {
      // Changed meanwhile (maybe a heartbeat): the next pass looks again.
      if (isConflict(e)) return node;
      throw e;
    }
  }

  /** Upstream's MarkPodsNotReady: pods on the node with Ready True get Ready False, and an event. */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    for (const pod of this.pods.byIndex(byNodeName, nodeName)) {
      if (pod.metadata.deletionTimestamp) continue;
      const conditions: Obj[] = pod.status?.conditions ?? [];
      const i = conditions.findIndex((c) => c.type === 'Ready');
      if (i < 0 || conditions[i].status !== 'True') continue;
      const status = structuredClone(pod.status);
      status.conditions[i] = { ...status.conditions[i], status: 'False', lastTransitionTime: rfc3339(this.ctx.now()) };
      try {
        await this.client.updateStatus(ref('Pod', pod.metadata.namespace), { ...pod, status }, { fieldManager: FieldManager });
        this.events.event(pod, 'Warning', EventNodeNotReady, 'Node is not ready');
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
  }

  /** Upstream's computeZoneState for every zone: Full when no node is Ready, Partial past the unhealthy threshold. Returns the zones whose state changed. */
  private updateZoneStates(): Set<string> {
    const counts = new Map<string, { ready: number; notReady: number }>();
    for (const n of this.nodes.list()) {
      const z = zoneOf(n);
      const c = counts.get(z) ?? { ready: 0, notReady: 0 };
      if (readyStatus(n) === 'True') c.ready++;
      else c.notReady++;
      counts.set(z, c);
    }
    const before = new Map(this.zoneStates);
    this.zoneStates.clear();
    for (const [z, c] of counts) {
      const total = c.ready + c.notReady;
      let state: ZoneState = 'Normal';
      if (c.ready === 0 && c.notReady > 0) state = 'FullDisruption';
      else if (c.notReady > 2 && c.notReady / total >= this.opts.unhealthyZoneThreshold) {
        // Small zones stop evicting when partially disrupted (upstream's ReducedQPSFunc returns 0).
        state = total > this.opts.largeClusterSizeThreshold ? 'Normal' : 'PartialDisruption';
      }
      this.zoneStates.set(z, state);
    }
    const changed = new Set<string>();
    for (const z of new Set([...before.keys(), ...this.zoneStates.keys()])) if (before.get(z) !== this.zoneStates.get(z)) changed.add(z);
    return changed;
  }

  /** The zone's NoExecute tainting rate limit (--node-eviction-rate), a bucket of one. */
  private mayTaint(zone: string, now: number): boolean {
    const last = this.lastNoExecuteTaint.get(zone);
    return last === undefined || now - last >= 1000 / this.opts.nodeEvictionRate;
  }
}
