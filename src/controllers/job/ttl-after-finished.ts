/**
 * @module The TTL-after-finished controller (kube-controller-manager's "ttl-after-finished"):
 * deletes a finished Job, with its pods (foreground), ttlSecondsAfterFinished after it finished.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import type { Obj } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { type Informer, keyOf, splitKey } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { isJobFinished, jobFinishTime } from './job-util.js';

export const TTLAfterFinishedName = 'ttl-after-finished';

/** ms until the Job expires at `now` (≤ 0: expired), or undefined when it has no TTL or has not finished. */
export function timeLeftMs(job: Obj, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null || job.metadata?.deletionTimestamp || !isJobFinished(job)) return undefined;
  const finishedAt = jobFinishTime(job);
  if (finishedAt === undefined) return undefined;
  return finishedAt + ttl * 1000 - now;
}

export class TTLAfterFinishedController implements Controller, Reconciler {
  readonly name = TTLAfterFinishedName;
  readonly queue = new WorkQueue<string>();
  private jobInformer!: Informer;

  constructor(private ctx: ControllerContext, private opts: { workers?: number; onError?: (key: string, err: unknown) => void } = {}) {}

  setup(): void {
    this.jobInformer = this.ctx.informers.informer(ref('Job').type);
    const maybeEnqueue = (job: Obj) => { if (job.spec?.ttlSecondsAfterFinished != null && isJobFinished(job)) this.queue.add(keyOf(job)); };
    this.jobInformer.addHandler({ add: maybeEnqueue, update: (_old, cur) => maybeEnqueue(cur) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: this.name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 5, signal, onError: this.opts.onError });
  }

  /** processJob: requeue until expiry; then re-read the Job from the API and delete it if it still expired. */
  async reconcile(key: string): Promise<Result | void> {
    const cached = this.jobInformer.get(key);
    if (!cached) return;
    const left = timeLeftMs(cached, this.ctx.now());
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };
    const { namespace, name } = splitKey(key);
    const jobs = ref('Job', namespace);
    let fresh: Obj;
    try {
      fresh = await this.ctx.client.get(jobs, name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    // The TTL may have been changed meanwhile: check against the live object.
    const freshLeft = timeLeftMs(fresh, this.ctx.now());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    try {
      await this.ctx.client.delete(jobs, name, { propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
