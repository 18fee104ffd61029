/**
 * @module The EndpointSlice controller (kube-controller-manager's "endpointslice"): for every
 * Service with a selector, discovery.k8s.io/v1 EndpointSlices listing the selected pods' addresses,
 * ports and conditions, at most 100 endpoints a slice, rewritten with minimal churn.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler } from '../../client/controller.js';
import { type Informer, keyOf, splitKey } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { podServiceMemberships, podsForService, serviceSelector, servicesToUpdateOnPodChange } from '../controller-utils/service-endpoints.js';
import { isNamespaceTerminating } from '../controller-utils/namespace-terminating.js';
import { setTriggerTimeAnnotation, TriggerTimeTracker } from '../controller-utils/trigger-time.js';
import { ControllerName, ManagedByLabel, ServiceNameLabel } from './endpoint.js';
import { DefaultMaxEndpointsPerSlice, planEndpointSlices } from './reconciler.js';
import { EndpointSliceTracker } from './tracker.js';

export const Name = 'endpointslice';
const FieldManager = 'kube-controller-manager';
/** Upstream's endpointSliceChangeMinSyncDelay: a slice change resyncs its service after this. */
const SliceChangeSyncDelayMs = 1000;

export interface EndpointSliceControllerOptions {
  /** Concurrent service syncs (upstream --concurrent-service-endpoint-syncs, default 5). */
  workers?: number;
  /** Upstream --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
  onError?: (key: string, err: unknown) => void;
}

export class EndpointSliceController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly tracker = new EndpointSliceTracker();
  private services!: Informer;
  private pods!: Informer;
  private slices!: Informer;
  private nodes!: Informer;

  constructor(private ctx: ControllerContext, private opts: EndpointSliceControllerOptions = {}) {
    this.client = ctx.client;
    this.events = ctx.recorder('endpointslice-controller');
  }

  setup(): void {
    this.services = this.ctx.informers.informer(ref('Service').type);
    this.pods = this.ctx.informers.informer(ref('Pod').type);
    this.slices = this.ctx.informers.informer(ref('EndpointSlice').type);
    this.nodes = this.ctx.informers.informer(ref('Node').type);
    const enqueue = (svc: Obj) => this.queue.add(keyOf(svc));
    this.services.addHandler({ add: enqueue, update: (_o, cur) => enqueue(cur), delete: enqueue });
    this.pods.addHandler({
      add: (pod) => this.addAll(podServiceMemberships(this.services, pod)),
      update: (old, cur) => this.addAll(servicesToUpdateOnPodChange(this.services, old, cur)),
      delete: (pod) => this.addAll(podServiceMemberships(this.services, pod)),
    });
    this.slices.addHandler({
      add: (s) => { if (managed(s) && this.tracker.shouldSync(serviceKeyOf(s), s)) this.queueForSlice(s); },
      update: (old, cur) => {
        if (old.metadata?.labels?.[ServiceNameLabel] !== cur.metadata?.labels?.[ServiceNameLabel]) {
          this.queueForSlice(cur);
          this.queueForSlice(old);
        } else if (managed(old) !== managed(cur) || (managed(cur) && this.tracker.shouldSync(serviceKeyOf(cur), cur))) {
          this.queueForSlice(cur);
        }
      },
      delete: (s) => { if (managed(s) && !this.tracker.handleDeletion(serviceKeyOf(s), s)) this.queueForSlice(s); },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 5, signal,
      onError: this.opts.onError });
  }

  private addAll(keys: Set<string>): void { for (const k of keys) this.queue.add(k); }

  private queueForSlice(slice: Obj): void {
    if (slice.metadata?.labels?.[ServiceNameLabel]) this.queue.addAfter(serviceKeyOf(slice), SliceChangeSyncDelayMs);
  }

  /** syncService. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(key);
    if (!svc) {
      this.triggerTimes.deleteService(namespace, name);
      this.tracker.deleteService(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) return;
    const pods = podsForService(this.pods, svc);
    const existing = this.slices.list(namespace).filter((s) =>
      s.metadata?.labels?.[ServiceNameLabel] === name && managed(s) && !s.metadata.deletionTimestamp);
    if (this.tracker.stale(key, existing)) throw new Error('EndpointSlice informer cache is out of date');
    const triggerTime = this.triggerTimes.compute(svc, pods);
    const plan = planEndpointSlices({
      service: svc, pods, existingSlices: existing, node: (n) => this.nodes.get(n),
      maxEndpointsPerSlice: this.opts.maxEndpointsPerSlice ?? DefaultMaxEndpointsPerSlice,
    });
    try {
      await this.apply(key, svc, plan.create, plan.update, plan.delete, triggerTime);
    } catch (e) {
      this.events.event(svc, 'Warning', 'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${namespace}/${name}: ${(e as Error).message}`);
      throw e;
    }
    if (plan.errors.length) throw new Error(plan.errors.join('; '));
  }

  /** finalize: creates (unless the service is being deleted), then updates, then deletes. */
  private async apply(key: string, svc: Obj, create: Obj[], update: Obj[], del: Obj[], triggerTime: number | undefined): Promise<void> {
    const slices = ref('EndpointSlice', svc.metadata.namespace);
    if (!svc.metadata.deletionTimestamp) {
      for (const s of create) {
        setTriggerTimeAnnotation(s, triggerTime);
        try {
          this.tracker.update(key, await this.client.create(slices, s, { fieldManager: FieldManager }));
        } catch (e) {
          // The namespace is going away: nothing to create there.
          if (isNotFound(e) || isNamespaceTerminating(e)) return;
          throw e;
        }
      }
    }
    for (const s of update) {
      setTriggerTimeAnnotation(s, triggerTime);
      this.tracker.update(key, await this.client.update(slices, s, { fieldManager: FieldManager }));
    }
    for (const s of del) {
      try {
        await this.client.delete(slices, s.metadata.name);
        this.tracker.expectDeletion(key, s);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

const managed = (slice: Obj): boolean => slice.metadata?.labels?.[ManagedByLabel] === ControllerName;

const serviceKeyOf = (slice: Obj): string => `${slice.metadata.namespace}/${slice.metadata?.labels?.[ServiceNameLabel] ?? ''}`;
