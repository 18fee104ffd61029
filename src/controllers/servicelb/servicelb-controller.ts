/**
 * @module ServiceLB (k3s's, without its DaemonSet of pods: tugboat's proxy on every node answers on
 * the node's own addresses): a LoadBalancer Service with no loadBalancerClass, or class
 * tugboat.io/servicelb, gets status.loadBalancer.ingress = the InternalIPs of the serving nodes as
 * [{ip, ipMode: 'VIP'}], kept in step as nodes come, go or turn NotReady. A service whose port an
 * older LoadBalancer service holds gets no address, a PortConflict event and a LoadBalancerPortsError
 * condition, until the conflict goes. A service that stops being a LoadBalancer loses its addresses.
 * Services of another loadBalancerClass are never touched.
 */
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler } from '../../client/controller.js';
import { type Informer, keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { setStatusCondition, type StatusCondition } from '../controller-utils/status-conditions.js';
import { loadBalancerIPs, nodeFacts } from './node-addresses.js';
import { portConflicts, type PortConflict } from './port-claims.js';

export const Name = 'servicelb';
const FieldManager = 'tugboat-servicelb';
export const LoadBalancerClass = 'tugboat.io/servicelb';
export const EventPortConflict = 'PortConflict';
/** Upstream's Service condition for ports a load balancer cannot serve (core/v1 LoadBalancerPortsError). */
export const ConditionPortsError = 'LoadBalancerPortsError';

/** A LoadBalancer service this controller serves. */
export const isManaged = (svc: Obj) => svc.spec?.type === 'LoadBalancer' && !svc.metadata?.deletionTimestamp &&
  (!svc.spec.loadBalancerClass || svc.spec.loadBalancerClass === LoadBalancerClass);
/** What decides a service's claim on ports (its status, labels and so on do not). */
const claimFacts = (svc: Obj) => JSON.stringify([isManaged(svc), svc.metadata?.creationTimestamp,
  (svc.spec?.ports ?? []).map((p: Obj) => [p.port, p.protocol])]);
const ingressOf = (svc: Obj): Obj[] => svc.status?.loadBalancer?.ingress ?? [];
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Go's %v of a []string, as k3s's events print address lists. */
const goList = (ips: string[]) => `[${ips.join(' ')}]`;

export class ServiceLBController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  private services!: Informer;
  private nodes!: Informer;
  /** Worked out on demand from the caches, dropped when what they depend on changes. */
  private ips?: string[];
  private conflicts?: Map<string, PortConflict>;
  /** The conflict each losing service was last told about (an event per new conflict, not per sync). */
  private readonly told = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.events = ctx.recorder('service-lb-controller');
  }

  setup(): void {
    this.services = this.ctx.informers.informer(ref('Service').type);
    this.nodes = this.ctx.informers.informer(ref('Node').type);
    this.services.addHandler({
      add: (s) => this.serviceChanged(undefined, s),
      update: (old, s) => this.serviceChanged(old, s),
      delete: (s) => { this.told.delete(keyOf(s)); this.serviceChanged(s, undefined); },
    });
    this.nodes.addHandler({
      add: () => this.nodesChanged(),
      update: (old, n) => { if (nodeFacts(old) !== nodeFacts(n)) this.nodesChanged(); },
      delete: () => this.nodesChanged(),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: 2, signal });
  }

  async reconcile(key: string): Promise<void> {
    const svc = this.services.get(key);
    if (!svc) return;
    if (!isManaged(svc)) {
      // No longer a LoadBalancer (a class cannot outlive the type): its addresses go. Another class's service is not ours.
      if (svc.spec?.type === 'LoadBalancer') return;
      this.told.delete(key);
      if (ingressOf(svc).length || hasPortsError(svc)) await this.writeStatus(svc, [], undefined);
      return;
    }
    const conflict = this.portConflicts().get(key);
    const ips = conflict ? [] : this.loadBalancerIPs();
    const message = conflict && `port ${conflict.port}/${conflict.protocol} is already used by LoadBalancer service ${conflict.holder}`;
    if (message && this.told.get(key) !== message) {
      this.told.set(key, message);
      this.events.event(serviceRef(svc), 'Warning', EventPortConflict, message);
    }
    if (!message) this.told.delete(key);
    const before = ingressOf(svc).map((i) => i.ip as string);
    if (!(await this.writeStatus(svc, ips, message)) || JSON.stringify(before) === JSON.stringify(ips)) return;
    if (ips.length) {
      this.events.event(serviceRef(svc), 'Normal', 'UpdatedLoadBalancer', `Updated LoadBalancer with new IPs: ${goList(before)} -> ${goList(ips)}`);
    } else if (!conflict) {
      this.events.event(serviceRef(svc), 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
    }
  }

  /** Writes the addresses and the ports-error condition when they differ from the service's; returns whether it wrote. */
  private async writeStatus(svc: Obj, ips: string[], conflict: string | undefined): Promise<boolean> {
    const ingress = ips.map((ip) => ({ ip, ipMode: 'VIP' }));
    const current: StatusCondition[] = svc.status?.conditions ?? [];
    const conditions = structuredClone(current).filter((c) => conflict || c.type !== ConditionPortsError);
    if (conflict) {
      setStatusCondition(conditions, { type: ConditionPortsError, status: 'True', reason: EventPortConflict, message: conflict },
        rfc3339(this.ctx.now()));
    }
    const conditionsChanged = JSON.stringify(conditions) !== JSON.stringify(current);
    if (!conditionsChanged && JSON.stringify(ingressOf(svc)) === JSON.stringify(ingress)) return false;
    const status: Obj = { loadBalancer: { ingress: ingress.length ? ingress : null } };
    if (conditionsChanged) status.conditions = conditions.length ? conditions : null;
    await this.client.patch(ref('Service', svc.metadata.namespace), svc.metadata.name, 'merge',
      { metadata: { resourceVersion: svc.metadata.resourceVersion }, status }, { subresource: 'status', fieldManager: FieldManager });
    return true;
  }

  private serviceChanged(old: Obj | undefined, svc: Obj | undefined): void {
    if ((old ? claimFacts(old) : '') !== (svc ? claimFacts(svc) : '') && (isManagedMaybe(old) || isManagedMaybe(svc))) {
      // A claim came, went or changed: every LoadBalancer service may win or lose ports.
      this.conflicts = undefined;
      this.queueAll();
    }
    if (svc && (isManaged(svc) || ingressOf(svc).length || hasPortsError(svc))) this.queue.add(keyOf(svc));
  }

  private nodesChanged(): void {
    this.ips = undefined;
    this.queueAll();
  }

  private queueAll(): void {
    for (const s of this.services.list()) if (isManaged(s)) this.queue.add(keyOf(s));
  }

  private loadBalancerIPs(): string[] {
    return (this.ips ??= loadBalancerIPs(this.nodes.list()));
  }

  private portConflicts(): Map<string, PortConflict> {
    return (this.conflicts ??= portConflicts(this.services.list().filter(isManaged)));
  }
}

const isManagedMaybe = (svc: Obj | undefined) => Boolean(svc && isManaged(svc));
const hasPortsError = (svc: Obj) => (svc.status?.conditions ?? []).some((c: Obj) => c.type === ConditionPortsError);
/** What an Event about the service names (the informer's copy may lack kind). */
const serviceRef = (svc: Obj): Obj => ({ apiVersion: 'v1', kind: 'Service',
  metadata: { namespace: svc.metadata.namespace, name: svc.metadata.name, uid: svc.metadata.uid } });
