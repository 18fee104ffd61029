/**
 * @module The ingress controller's cluster-wide half (the node agents proxy; this one reports):
 * makes the default IngressClass `tugboat` when it is missing, writes status.loadBalancer.ingress
 * of our Ingresses = the InternalIPs of the serving nodes (as ServiceLB picks them), and records
 * Warning events for what the route table cannot serve — a missing Service or port, a missing or
 * malformed TLS secret, a certificate not naming its host, a rule lost to an older Ingress — once
 * per problem while it lasts. Ingresses of other classes are never touched.
 */
import { isAlreadyExists } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler } from '../../client/controller.js';
import { type Informer, keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import { buildRouteTable, type Problem } from '../../ingress/routes/build.js';
import { ControllerName, DefaultClassAnnotation, DefaultClassName, ingressClassFilter } from '../../ingress/routes/ingress-class.js';
import { buildInput, routeSources, type RouteSources } from '../../ingress/routes/sources.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { loadBalancerIPs, nodeFacts } from '../servicelb/node-addresses.js';

export const Name = 'ingress';
const FieldManager = 'tugboat-ingress-controller';
/** The work queue key that asks for the IngressClass (never an Ingress key: those have a slash). */
const ClassKey = 'ingressclass';

export class IngressController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  private sources!: RouteSources;
  private nodes!: Informer;
  /** Worked out on demand from the caches, dropped when what they depend on changes. */
  private ips?: string[];
  private problems?: Map<string, Problem[]>;
  private refs = new Set<string>();
  /** The problem messages each Ingress was last told about. */
  private readonly told = new Map<string, Set<string>>();

  constructor(private readonly ctx: ControllerContext, private readonly className = DefaultClassName) {
    this.client = ctx.client;
    this.events = ctx.recorder('ingress-controller');
  }

  setup(): void {
    this.sources = routeSources(this.ctx.informers, { endpoints: false });
    this.nodes = this.ctx.informers.informer(ref('Node').type);
    const { ingresses, classes, services, secrets } = this.sources;
    ingresses.addHandler({
      add: () => this.routesChanged(),
      // A status write (ours) changes no route: only that Ingress is looked at again.
      update: (old, i) => { if (routeFacts(old) !== routeFacts(i)) this.routesChanged(); else this.queue.add(keyOf(i)); },
      delete: (i) => { this.told.delete(keyOf(i)); this.routesChanged(); },
    });
    classes.addHandler({
      add: () => this.routesChanged(),
      update: () => this.routesChanged(),
      delete: (c) => { if (c.metadata.name === this.className) this.queue.add(ClassKey); this.routesChanged(); },
    });
    for (const [inf, kind] of [[services, 'Service'], [secrets, 'Secret']] as const) {
      const relevant = (o: Obj) => this.refs.has(`${kind} ${o.metadata.namespace}/${o.metadata.name}`);
      inf.addHandler({
        add: (o) => relevant(o) && this.routesChanged(),
        update: (_old, o) => relevant(o) && this.routesChanged(),
        delete: (o) => relevant(o) && this.routesChanged(),
      });
    }
    this.nodes.addHandler({
      add: () => this.nodesChanged(),
      update: (old, n) => { if (nodeFacts(old) !== nodeFacts(n)) this.nodesChanged(); },
      delete: () => this.nodesChanged(),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.queue.add(ClassKey);
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: 2, signal });
  }

  async reconcile(key: string): Promise<void> {
    if (key === ClassKey) return this.ensureClass();
    const ing = this.sources.ingresses.get(key);
    if (!ing || !this.isOurs(ing)) { this.told.delete(key); return; }
    this.report(key, ing);
    const want = this.loadBalancerIPs().map((ip) => ({ ip }));
    if (JSON.stringify(ing.status?.loadBalancer?.ingress ?? []) === JSON.stringify(want)) return;
    await this.client.patch(ref('Ingress', ing.metadata.namespace, 'networking.k8s.io/v1'), ing.metadata.name, 'merge',
      { metadata: { resourceVersion: ing.metadata.resourceVersion }, status: { loadBalancer: { ingress: want.length ? want : null } } },
      { subresource: 'status', fieldManager: FieldManager });
  }

  /** An event per problem the Ingress has not been told about yet; a problem that went and comes back is told again. */
  private report(key: string, ing: Obj): void {
    const problems = this.routeProblems().get(key) ?? [];
    const before = this.told.get(key) ?? new Set<string>();
    const now = new Set<string>();
    for (const p of problems) {
      const id = `${p.reason} ${p.message}`;
      if (now.has(id)) continue;
      now.add(id);
      if (!before.has(id)) this.events.event(ingressRef(ing), 'Warning', p.reason, p.message);
    }
    if (now.size) this.told.set(key, now); else this.told.delete(key);
  }

  private async ensureClass(): Promise<void> {
    if (this.sources.classes.get(this.className)) return;
    try {
      await this.client.create(ref('IngressClass', undefined, 'networking.k8s.io/v1'), {
        apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
        metadata: { name: this.className, annotations: { [DefaultClassAnnotation]: 'true' } },
        spec: { controller: ControllerName },
      }, { fieldManager: FieldManager });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  private isOurs(ing: Obj): boolean {
    return ingressClassFilter(this.className, this.sources.classes.list())(ing);
  }

  private routesChanged(): void {
    this.problems = undefined;
    this.queueAll();
  }

  private nodesChanged(): void {
    this.ips = undefined;
    this.queueAll();
  }

  private queueAll(): void {
    const ours = ingressClassFilter(this.className, this.sources.classes.list());
    for (const i of this.sources.ingresses.list()) if (ours(i) || this.told.has(keyOf(i))) this.queue.add(keyOf(i));
  }

  private loadBalancerIPs(): string[] {
    return (this.ips ??= loadBalancerIPs(this.nodes.list()));
  }

  /** The problems of every Ingress of ours, by key, from one build of the route table (endpoints are not needed for them). */
  private routeProblems(): Map<string, Problem[]> {
    if (this.problems) return this.problems;
    const built = buildRouteTable(buildInput(this.sources, this.className), 0);
    this.refs = built.refs;
    const byIngress = new Map<string, Problem[]>();
    for (const p of built.problems) {
      const k = `${p.ingress.namespace}/${p.ingress.name}`;
      byIngress.set(k, [...(byIngress.get(k) ?? []), p]);
    }
    return (this.problems = byIngress);
  }
}

/** What the route table reads of an Ingress (its status, resourceVersion and so on do not count). */
const routeFacts = (i: Obj) => JSON.stringify([i.spec, i.metadata?.annotations, i.metadata?.deletionTimestamp]);
/** What an Event about the Ingress names (the informer's copy may lack kind). */
const ingressRef = (ing: Obj): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
  metadata: { namespace: ing.metadata.namespace, name: ing.metadata.name, uid: ing.metadata.uid } });
