/**
 * @module The namespace controller (kube-controller-manager's "namespace"): empties a namespace
 * being deleted — every object of every served namespaced kind — reports progress in its status
 * conditions, then removes the "kubernetes" finalizer through the finalize subresource.
 */
import { allTypes, type ResourceType } from '../../api/scheme.js';
import { isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { updateConditions, type ContentTotals } from './conditions.js';

export const Name = 'namespace';
export const FieldManager = 'kube-controller-manager';
/** The spec.finalizers token this controller owns. */
export const FinalizerKubernetes = 'kubernetes';
/** How long to wait for content held by finalizers before looking again (upstream's finalizerEstimateSeconds). */
export const FinalizerEstimateSeconds = 15;

export interface NamespaceControllerOptions {
  /** Concurrent namespace syncs (upstream --concurrent-namespace-syncs, 10). */
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

/** Thrown when content remains that will go by itself: look again after `estimateSeconds`. */
export class ResourcesRemainingError extends Error {
  constructor(readonly estimateSeconds: number) {
    super(`some content remains in the namespace, estimate ${estimateSeconds} seconds before it is removed`);
  }
}

/** Namespaced kinds the controller empties: every served one it can list and delete. */
const deletableTypes = (): ResourceType[] =>
  allTypes().filter((t) => t.namespaced && ['list', 'delete'].every((v) => (t.verbs ?? ['list', 'delete']).includes(v)));

const groupResource = (t: ResourceType) => `${t.resource}.${t.group}`;

export class NamespaceController implements Controller, Reconciler {
  readonly name = Name;
  /** Upstream's namespace queue backs off from 5 ms to at most 60 s. */
  readonly queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  private readonly client: Client;
  private readonly namespaces = ref('Namespace');

  constructor(private readonly ctx: ControllerContext, private readonly opts: NamespaceControllerOptions = {}) {
    this.client = ctx.client;
  }

  setup(): void {
    const enqueue = (ns: Obj) => { if (ns.metadata?.deletionTimestamp) this.queue.add(keyOf(ns)); };
    this.ctx.informers.informer(this.namespaces.type).addHandler({ add: enqueue, update: (_o, ns) => enqueue(ns) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 10, signal, onError: this.opts.onError });
  }

  async reconcile(name: string): Promise<Result | void> {
    try {
      await this.deleteNamespace(name);
    } catch (e) {
      // Upstream waits estimate/2 + 1 s when the rest will go by itself (pods terminating, finalizers).
      if (e instanceof ResourcesRemainingError) return { requeueAfterMs: (Math.floor(e.estimateSeconds / 2) + 1) * 1000 };
      throw e;
    }
  }

  /** Upstream's namespacedResourcesDeleter.Delete; throws ResourcesRemainingError while content remains. */
  private async deleteNamespace(name: string): Promise<void> {
    let ns: Obj;
    try {
      ns = await this.client.get(this.namespaces, name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      ns = await this.client.updateStatus(this.namespaces, { ...ns, status: { ...ns.status, phase: 'Terminating' } },
        { fieldManager: FieldManager });
    }
    if (!(ns.spec?.finalizers ?? []).includes(FinalizerKubernetes)) return;
    const { estimate, latest } = await this.deleteAllContent(ns);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);
    ns = latest;
    const finalizers = (ns.spec.finalizers as string[]).filter((f) => f !== FinalizerKubernetes);
    try {
      // PUT …/finalize at the read resourceVersion, as upstream.
      await this.client.update(this.namespaces, { ...ns, spec: { ...ns.spec, finalizers } },
        { subresource: 'finalize', fieldManager: FieldManager });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * Deletes every object in the namespace, then counts what remains. Returns the seconds to wait
   * for what will still go (terminating pods, finalizers) and the namespace as last written; throws
   * when content remains unexpectedly or a deletion failed. Records the outcome in its conditions either way.
   */
  private async deleteAllContent(ns: Obj): Promise<{ estimate: number; latest: Obj }> {
    const namespace: string = ns.metadata.name;
    const totals: ContentTotals = { remaining: new Map(), finalizers: new Map() };
    const errors: string[] = [];
    let estimate = 0;
    for (const t of deletableTypes()) {
      try {
        estimate = Math.max(estimate, await this.deleteAllOf(t, namespace, totals));
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    const status = structuredClone(ns.status ?? {});
    let latest = ns;
    if (updateConditions(status, { errors, totals, now: this.ctx.now() })) {
      try {
        latest = await this.client.updateStatus(this.namespaces, { ...ns, status }, { fieldManager: FieldManager });
      } catch (e) {
        // Conditions are informational: the next sync writes them again.
        if (!isNotFound(e)) errors.push((e as Error).message);
      }
    }
    if (errors.length) throw new Error(errors.join('; '));
    return { estimate, latest };
  }

  /** Deletes all objects of one kind in the namespace (upstream's deleteAllContentForGroupVersionResource). */
  private async deleteAllOf(t: ResourceType, namespace: string, totals: ContentTotals): Promise<number> {
    const r = { type: t, namespace };
    const { items } = await this.client.list(r);
    if (items.length === 0) return 0;
    const gracePods = t.group === '' && t.kind === 'Pod' ? podTerminationEstimate(items) : 0;
    for (const obj of items) {
      if (obj.metadata.deletionTimestamp) continue;
      try {
        await this.client.delete(r, obj.metadata.name, { propagationPolicy: 'Background', fieldManager: FieldManager });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const left = (await this.client.list(r)).items;
    if (left.length === 0) return 0;
    totals.remaining.set(groupResource(t), left.length);
    let held = false;
    for (const obj of left) {
      for (const f of obj.metadata.finalizers ?? []) {
        totals.finalizers.set(f, (totals.finalizers.get(f) ?? 0) + 1);
        held = true;
      }
    }
    if (gracePods > 0) return gracePods;
    if (held) return FinalizerEstimateSeconds;
    // Pods waiting for their node to confirm count as terminating even at a zero grace period.
    if (t.group === '' && t.kind === 'Pod' && left.every((p) => p.metadata.deletionTimestamp)) return 1;
    throw new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${t.group}/${t.version}, Resource=${t.resource}`);
  }
}

/** The longest grace period of the pods that are not yet terminal (upstream's estimateGracefulTerminationForPods). */
function podTerminationEstimate(pods: Obj[]): number {
  let estimate = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    estimate = Math.max(estimate, p.spec?.terminationGracePeriodSeconds ?? 0);
  }
  return estimate;
}
