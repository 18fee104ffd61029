/**
 * @module Taint-based eviction (kube-controller-manager's "taint-eviction-controller", formerly
 * the NoExecuteTaintManager): pods on a node with NoExecute taints they do not tolerate are
 * deleted at once; pods that tolerate them for tolerationSeconds are deleted when that runs out.
 */
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import { deepEqual } from '../../apimachinery/validation/field.js';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { keyOf, splitKey, type Informer } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { minTolerationSeconds, type Taint } from './taints.js';

export const Name = 'taint-eviction-controller';
export const FieldManager = 'kube-controller-manager';
export const EventTaintManagerEviction = 'TaintManagerEviction';

const byNodeName = 'spec.nodeName';
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const noExecuteTaints = (node: Obj | undefined): Taint[] => (node?.spec?.taints ?? []).filter((t: Taint) => t.effect === 'NoExecute');

interface Scheduled { createdAt: number; fireAt: number }

export class TaintEvictionController implements Controller, Reconciler {
  readonly name = Name;
  /** Pod keys whose eviction is due or whose taints changed. */
  readonly queue = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  /** Pending evictions by pod key, as upstream's taintEvictionQueue (createdAt keeps the first schedule). */
  private readonly scheduled = new Map<string, Scheduled>();
  private nodes!: Informer;
  private pods!: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.events = ctx.recorder('taint-eviction-controller');
  }

  setup(): void {
    this.nodes = this.ctx.informers.informer(ref('Node').type);
    this.pods = this.ctx.informers.informer(ref('Pod').type);
    this.pods.addIndex(byNodeName, (p) => [p.spec?.nodeName ?? '']);
    const podChanged = (p: Obj) => { if (p.spec?.nodeName) this.queue.add(keyOf(p)); };
    // As upstream's PodUpdated: only a new node or new tolerations change what the taints mean for
    // a pod (at 150,000 pods, queueing every status write kept 100,000 keys waiting).
    const podUpdated = (o: Obj, p: Obj) => {
      if (o.spec?.nodeName === p.spec?.nodeName && deepEqual(o.spec?.tolerations, p.spec?.tolerations)) return;
      podChanged(p);
    };
    this.pods.addHandler({ add: podChanged, update: podUpdated, delete: (p) => this.scheduled.delete(keyOf(p)) });
    const nodeChanged = (n: Obj) => { for (const p of this.pods.byIndex(byNodeName, n.metadata.name)) this.queue.add(keyOf(p)); };
    this.nodes.addHandler({
      add: nodeChanged,
      update: (o, n) => { if (!deepEqual(noExecuteTaints(o), noExecuteTaints(n))) nodeChanged(n); },
      delete: nodeChanged,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: 8, signal });
  }

  /** Upstream's processPodOnNode plus the eviction itself when it is due. */
  async reconcile(key: string): Promise<Result | void> {
    const pod = this.pods.get(key);
    if (!pod || pod.metadata.deletionTimestamp) {
      this.scheduled.delete(key);
      return;
    }
    const now = this.ctx.now();
    const taints = noExecuteTaints(this.nodes.get(pod.spec?.nodeName ?? ''));
    const seconds = taints.length ? minTolerationSeconds(taints, pod.spec?.tolerations ?? []) : -1;
    if (seconds === -1) {
      this.cancel(pod);
      return;
    }
    let s = this.scheduled.get(key);
    if (seconds === undefined) {
      s = { createdAt: s?.createdAt ?? now, fireAt: now };
    } else if (!s || s.createdAt + seconds * 1000 !== s.fireAt) {
      // A pending eviction keeps its start, so that a changed toleration counts from the first taint seen.
      const createdAt = s?.createdAt ?? now;
      s = { createdAt, fireAt: createdAt + seconds * 1000 };
    }
    this.scheduled.set(key, s);
    if (now < s.fireAt) return { requeueAfterMs: s.fireAt - now };
    await this.evict(pod, now);
    this.scheduled.delete(key);
  }

  private cancel(pod: Obj): void {
    const key = keyOf(pod);
    if (!this.scheduled.delete(key)) return;
    this.events.event(pod, 'Normal', EventTaintManagerEviction, `Cancelling deletion of Pod ${key}`);
  }

  /** Adds the DisruptionTarget condition, then deletes the pod (with its own grace period), as upstream. */
  private async evict(pod: Obj, now: number): Promise<void> {
    const key = keyOf(pod);
    const { namespace, name } = splitKey(key);
    const r = ref('Pod', namespace);
    this.events.event(pod, 'Normal', EventTaintManagerEviction, `Marking for deletion Pod ${key}`);
    try {
      const status = structuredClone(pod.status ?? {});
      status.conditions = [...(status.conditions ?? []).filter((c: Obj) => c.type !== 'DisruptionTarget'),
        { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
          lastProbeTime: null, lastTransitionTime: rfc3339(now) }];
      await this.client.updateStatus(r, { ...pod, status }, { fieldManager: FieldManager });
      await this.client.delete(r, name, { preconditions: { uid: pod.metadata.uid }, fieldManager: FieldManager });
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) throw new Error(`pod ${key} changed meanwhile; retrying`);
      throw e;
    }
  }
}
