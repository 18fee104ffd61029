/**
 * @module The Job controller (kube-controller-manager's "job"): runs a Job's pods to completion
 * (see sync-job.ts), and removes the job-tracking finalizer from pods whose Job is gone or done.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import { fromLabelSelector, matches } from '../../apimachinery/labels/index.js';
import type { Obj } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { type Informer, keyOf, splitKey } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { claimObjects, getControllerOf, newControllerRef, type OwnerReference } from '../controller-utils/controller-ref.js';
import { ControllerExpectations } from '../controller-utils/expectations.js';
import { PodControl } from '../controller-utils/pod-template.js';
import type { BackoffRecord } from './backoff.js';
import { FinalizerExpectations } from './finalizer-expectations.js';
import { hasJobTrackingFinalizer, isJobFinished, removeTrackingFinalizerPatch } from './job-util.js';
import { FieldManager, type JobSyncDeps, syncJob } from './sync-job.js';

export const Name = 'job';
/** Pods indexed by "namespace/controller-uid". */
const PodsByJobIndex = 'tugboat.dev/job-controller-uid';

export interface JobControllerOptions {
  /** Concurrent Job syncs (upstream --concurrent-job-syncs, default 5). */
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

export class JobController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  /** Pods ("ns/name") whose tracking finalizer may have to go because their Job is gone or finished. */
  readonly orphanQueue = new WorkQueue<string>();
  private readonly deps: JobSyncDeps;
  private jobInformer!: Informer;
  private podInformer!: Informer;

  constructor(private ctx: ControllerContext, private opts: JobControllerOptions = {}) {
    const events = ctx.recorder('job-controller');
    this.deps = {
      client: ctx.client, events, now: () => ctx.now(),
      podControl: new PodControl(ctx.client, (ns) => ref('Pod', ns), events, FieldManager),
      expectations: new ControllerExpectations(() => ctx.now()),
      finalizerExpectations: new FinalizerExpectations(),
      backoff: new Map<string, BackoffRecord>(),
    };
  }

  setup(): void {
    this.jobInformer = this.ctx.informers.informer(ref('Job').type);
    this.podInformer = this.ctx.informers.informer(ref('Pod').type);
    this.podInformer.addIndex(PodsByJobIndex, (p) => {
      const c = getControllerOf(p);
      return c?.kind === 'Job' ? [`${p.metadata?.namespace}/${c.uid}`] : [];
    });
    this.jobInformer.addHandler({
      add: (job) => this.enqueue(job),
      update: (_old, cur) => this.enqueue(cur),
      delete: (job) => {
        const key = keyOf(job);
        this.deps.expectations.delete(key);
        this.deps.finalizerExpectations.delete(key);
        this.deps.backoff.delete(key);
        // cleanupPodFinalizers: the Job is gone, its pods must not keep the finalizer.
        for (const pod of this.podInformer.byIndex(PodsByJobIndex, `${job.metadata.namespace}/${job.metadata.uid}`)) {
          if (hasJobTrackingFinalizer(pod)) this.orphanQueue.add(keyOf(pod));
        }
      },
    });
    this.podInformer.addHandler({
      add: (pod) => this.podChanged(pod, undefined),
      update: (old, cur) => this.podChanged(cur, old),
      delete: (pod) => this.podDeleted(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const workers = this.opts.workers ?? 5;
    const orphans: Reconciler = { reconcile: (key) => this.syncOrphanPod(key) };
    await Promise.all([
      runWorkers({ name: Name, queue: this.queue, reconciler: this, workers, signal, onError: this.opts.onError }),
      runWorkers({ name: `${Name}-orphan-pods`, queue: this.orphanQueue, reconciler: orphans, workers: 1, signal, onError: this.opts.onError }),
    ]);
  }

  private enqueue(job: Obj): void { this.queue.add(keyOf(job)); }

  /** The Job a controllerRef names, if it is in the cache with that uid. */
  private resolve(namespace: string, cref: OwnerReference | undefined): Obj | undefined {
    if (cref?.kind !== 'Job' || cref.apiVersion !== 'batch/v1') return undefined;
    const job = this.jobInformer.getByName(namespace, cref.name);
    return job?.metadata?.uid === cref.uid ? job : undefined;
  }

  private podChanged(pod: Obj, old: Obj | undefined): void {
    if (old && old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const ns = pod.metadata.namespace;
    const cref = getControllerOf(pod);
    const job = this.resolve(ns, cref);
    if (hasJobTrackingFinalizer(pod) && cref?.kind === 'Job' && (!job || isJobFinished(job))) this.orphanQueue.add(keyOf(pod));
    if (old) {
      const oldJob = this.resolve(ns, getControllerOf(old));
      if (oldJob && oldJob !== job) this.enqueue(oldJob);
    }
    if (job) {
      const key = keyOf(job);
      if (!old) this.deps.expectations.creationObserved(key);
      // A deletionTimestamp is a deletion as far as replacing the pod goes.
      if (pod.metadata.deletionTimestamp) this.deps.expectations.deletionObserved(key, keyOf(pod));
      if (!hasJobTrackingFinalizer(pod)) this.deps.finalizerExpectations.removalObserved(key, pod.metadata.uid);
      this.enqueue(job);
      return;
    }
    if (cref) return;
    // An orphan: every Job whose selector matches may adopt it.
    for (const j of this.jobInformer.list(ns)) {
      try {
        if (matches(fromLabelSelector(j.spec?.selector), pod.metadata.labels)) this.enqueue(j);
      } catch {
        // A Job with an unparsable selector adopts nothing.
      }
    }
  }

  private podDeleted(pod: Obj): void {
    const job = this.resolve(pod.metadata?.namespace, getControllerOf(pod));
    if (!job) return;
    const key = keyOf(job);
    this.deps.expectations.deletionObserved(key, keyOf(pod));
    this.deps.finalizerExpectations.removalObserved(key, pod.metadata.uid);
    this.enqueue(job);
  }

  /** syncJob for a key. */
  async reconcile(key: string): Promise<Result | void> {
    const job = this.jobInformer.get(key);
    if (!job) {
      this.deps.expectations.delete(key);
      this.deps.finalizerExpectations.delete(key);
      this.deps.backoff.delete(key);
      return;
    }
    if (isJobFinished(job)) {
      this.deps.backoff.delete(key);
      return;
    }
    const mode = job.spec?.completionMode ?? 'NonIndexed';
    if (mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.deps.events.event(job, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    // Read expectations before the pods, so a pod arriving in between defers the sync, not confuses it.
    const satisfied = this.deps.expectations.satisfied(key);
    const pods = await this.podsForJob(job);
    const after = await syncJob(this.deps, key, job, pods, satisfied);
    return after === undefined ? undefined : { requeueAfterMs: after };
  }

  /** getPodsForJob: the Job's own pods plus orphans its selector adopts. */
  private async podsForJob(job: Obj): Promise<Obj[]> {
    const { namespace } = splitKey(keyOf(job));
    const selector = fromLabelSelector(job.spec?.selector);
    const owned = this.podInformer.byIndex(PodsByJobIndex, `${namespace}/${job.metadata.uid}`);
    const orphans = this.podInformer.list(namespace).filter((p) => !getControllerOf(p) && matches(selector, p.metadata?.labels));
    return claimObjects([...owned, ...orphans], {
      client: this.ctx.client, ref: ref('Pod', namespace), controller: job, controllerRef: newControllerRef(job, 'batch/v1', 'Job'),
      match: (p) => matches(selector, p.metadata?.labels),
      fetchController: () => this.ctx.client.get(ref('Job', namespace), job.metadata.name).catch(() => undefined),
      fieldManager: FieldManager,
    });
  }

  /** syncOrphanPod: drops the tracking finalizer of a pod whose Job is gone or finished. */
  private async syncOrphanPod(key: string): Promise<void> {
    const pod = this.podInformer.get(key);
    if (!pod || !hasJobTrackingFinalizer(pod)) return;
    const cref = getControllerOf(pod);
    if (cref && (cref.kind !== 'Job' || cref.apiVersion !== 'batch/v1')) return;
    const job = this.resolve(pod.metadata.namespace, cref);
    if (job && !isJobFinished(job)) return;
    try {
      await this.ctx.client.patch(ref('Pod', pod.metadata.namespace), pod.metadata.name, 'strategic', removeTrackingFinalizerPatch(pod),
        { fieldManager: FieldManager });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
