/**
 * @module The Scheduler: pod, node and namespace informers feed the cache and the queue; a loop
 * pops pods, runs a synchronous cycle on the cache, assumes the chosen node and binds through
 * pods/binding in the background (bounded); failures get FailedScheduling events, the
 * PodScheduled=False condition and a requeue; preemption deletes victims and nominates the node.
 */
import type { Namespace, Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Client, Obj } from '../client/client.js';
import type { Informer, InformerFactory } from '../client/informer.js';
import { ref } from '../client/kind-ref.js';
import type { EventSink } from '../controllers/context.js';
import { Cache } from './cache/cache.js';
import { CycleState } from './framework/cycle-state.js';
import { FitError } from './framework/fit-error.js';
import type { PostFilterResult } from './framework/interface.js';
import { newPodInfo, type PodInfo } from './framework/pod-info.js';
import { Framework, type PluginFactory, type Profile } from './framework/runtime.js';
import { type QueueOptions, type QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.js';
import { defaultProfile, inTreeRegistry } from './registry.js';
import { Algorithm } from './schedule-one.js';

export const REASON_FAILED_SCHEDULING = 'FailedScheduling';
export const REASON_SCHEDULED = 'Scheduled';
export const REASON_PREEMPTED = 'Preempted';
/** PodScheduled=False reasons (core/v1 PodReasonUnschedulable, PodReasonSchedulerError). */
export const REASON_UNSCHEDULABLE = 'Unschedulable';
export const REASON_SCHEDULER_ERROR = 'SchedulerError';
const FIELD_MANAGER = 'default-scheduler';
/** How long the loop schedules before it lets other work in. */
const SCHEDULING_SLICE_MS = 10;
/** Events carry at most this many bytes of message (upstream truncates the same way). */
const MAX_EVENT_MESSAGE = 1024;

export interface SchedulerOptions {
  client: Client;
  informers: InformerFactory;
  /** Receives FailedScheduling, Scheduled and Preempted events (an EventRecorder). */
  events: EventSink;
  profile?: Profile;
  registry?: Readonly<Record<string, PluginFactory>>;
  /** 0 (default) = adaptive, max(5, 50 - nodes/125) % with at least 100 nodes. */
  percentageOfNodesToScore?: number;
  /** Bindings in flight at once; the loop waits for a free slot (default 32). */
  parallelBinds?: number;
  queue?: QueueOptions;
  random?: () => number;
  /** Called for failures nobody else sees (status writes, preemption deletes). Default: process.emitWarning. */
  onError?: (message: string, err: unknown) => void;
}

const isAssigned = (p: Pod) => !!p.spec?.nodeName;
const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

function truncate(msg: string): string {
  return Buffer.byteLength(msg) <= MAX_EVENT_MESSAGE ? msg : `${Buffer.from(msg).subarray(0, MAX_EVENT_MESSAGE - 3).toString()}...`;
}

/** Only what changes scheduling: allocatable, labels, taints, unschedulable, condition statuses. */
function nodeSchedulingPropertiesChanged(a: Node, b: Node): boolean {
  const props = (n: Node) => JSON.stringify([n.status?.allocatable, n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable,
    (n.status?.conditions ?? []).map((c) => [c.type, c.status])]);
  return props(a) !== props(b);
}

export class Scheduler {
  readonly cache = new Cache();
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  private readonly algorithm: Algorithm;
  private readonly pods: Informer;
  private readonly schedulerName: string;
  private readonly maxBinds: number;
  private readonly binds = new Set<Promise<void>>();
  /** Wakes the loop waiting for a free binding slot. */
  private bindSlotFreed?: () => void;
  private readonly onError: (message: string, err: unknown) => void;

  /** Registers informers and handlers; nothing runs until run(). */
  constructor(private readonly opts: SchedulerOptions) {
    const profile = opts.profile ?? defaultProfile();
    this.schedulerName = profile.schedulerName;
    this.queue = new SchedulingQueue(opts.queue);
    this.framework = new Framework(opts.registry ?? inTreeRegistry, profile, {
      snapshot: () => this.cache,
      nominatedPodsForNode: (n) => this.queue.nominatedPodsForNode(n),
    });
    this.algorithm = new Algorithm(this.framework, this.cache, { percentageOfNodesToScore: opts.percentageOfNodesToScore, random: opts.random });
    this.maxBinds = opts.parallelBinds ?? 32;
    this.onError = opts.onError ?? ((m, e) => process.emitWarning(`scheduler: ${m}: ${(e as Error)?.message ?? e}`));
    const { informers } = opts;
    informers.informer(ref('Node').type).addHandler({
      add: (n) => { this.cache.setNode(n as Node); this.queue.moveAllToActiveOrBackoff('NodeAdd'); },
      update: (o, n) => {
        this.cache.setNode(n as Node);
        if (nodeSchedulingPropertiesChanged(o as Node, n as Node)) this.queue.moveAllToActiveOrBackoff('NodeUpdate');
      },
      delete: (n) => this.cache.removeNode(n as Node),
    });
    informers.informer(ref('Namespace').type).addHandler({
      add: (ns) => this.cache.setNamespace(ns as Namespace),
      update: (_o, ns) => this.cache.setNamespace(ns as Namespace),
      delete: (ns) => this.cache.removeNamespace(ns as Namespace),
    });
    this.pods = informers.informer(ref('Pod').type);
    this.pods.addHandler({
      add: (p) => this.onPodAdd(p as Pod),
      update: (o, p) => this.onPodUpdate(o as Pod, p as Pod),
      delete: (p) => this.onPodDelete(p as Pod),
    });
  }

  /** Schedules until signal aborts, then waits for bindings in flight. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    this.opts.informers.start(signal);
    await this.opts.informers.waitForSync();
    this.queue.run(signal);
    let sliceStart = performance.now();
    while (!signal.aborted) {
      const q = await this.queue.pop();
      if (!q) break;
      await this.scheduleOne(q);
      // Let informer events in between cycles (a cycle itself never yields), but only every few
      // milliseconds: yielding after each pod left a busy server scheduling one pod per loop turn.
      if (performance.now() - sliceStart >= SCHEDULING_SLICE_MS) {
        await new Promise<void>((r) => setImmediate(r));
        sliceStart = performance.now();
      }
    }
    await Promise.allSettled([...this.binds]);
  }

  private responsible(p: Pod): boolean { return (p.spec?.schedulerName || 'default-scheduler') === this.schedulerName; }

  private onPodAdd(p: Pod): void {
    if (isAssigned(p)) {
      if (isTerminal(p)) return;
      this.cache.setPod(p);
      this.queue.moveAllToActiveOrBackoff('AssignedPodAdd');
    } else if (this.responsible(p) && !p.metadata?.deletionTimestamp) this.queue.add(p);
  }

  private onPodUpdate(old: Pod, p: Pod): void {
    if (isAssigned(p)) {
      if (!isAssigned(old)) this.queue.delete(p);
      if (isTerminal(p)) {
        this.cache.removePod(p);
        this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
        return;
      }
      this.cache.setPod(p);
      this.queue.moveAllToActiveOrBackoff(isAssigned(old) ? 'AssignedPodUpdate' : 'AssignedPodAdd');
    } else if (this.responsible(p)) {
      if (p.metadata?.deletionTimestamp) this.queue.delete(p); else this.queue.update(p);
    }
  }

  private onPodDelete(p: Pod): void {
    if (isAssigned(p)) {
      this.cache.removePod(p);
      this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
    } else this.queue.delete(p);
  }

  /** One cycle: synchronous up to the assumption; the binding runs in the background. */
  private async scheduleOne(q: QueuedPodInfo): Promise<void> {
    const pod = q.info;
    const cycle = this.queue.cycle;
    if (pod.terminating) {
      this.queue.done(pod.key);
      return;
    }
    const state = new CycleState();
    let host: string;
    try {
      host = this.algorithm.schedulePod(state, pod).suggestedHost;
    } catch (e) {
      if (!(e instanceof FitError)) {
        this.handleFailure(q, cycle, (e as Error).message, REASON_SCHEDULER_ERROR, new Set());
        return;
      }
      const { result, reasons } = this.framework.runPostFilterPlugins(state, pod, e.diagnosis.nodeToStatus);
      if (!result) {
        e.diagnosis.postFilterMsg = reasons.join(', ');
        e.refresh();
      }
      this.handleFailure(q, cycle, e.message, REASON_UNSCHEDULABLE, e.diagnosis.unschedulablePlugins, result);
      if (result) this.preempt(pod, result);
      return;
    }
    this.cache.assumePod(pod, host);
    this.queue.deleteNomination(pod.key);
    // (Not Promise.race over the bindings: that would add a reaction to each of them per wait.)
    while (this.binds.size >= this.maxBinds) await new Promise<void>((r) => { this.bindSlotFreed = r; });
    const p = this.bind(q, cycle, host).finally(() => {
      this.binds.delete(p);
      const wake = this.bindSlotFreed;
      this.bindSlotFreed = undefined;
      wake?.();
    });
    this.binds.add(p);
  }

  private async bind(q: QueuedPodInfo, cycle: number, host: string): Promise<void> {
    const { namespace, name } = q.info;
    try {
      await this.opts.client.createSubresource(ref('Pod', namespace), name, 'binding', {
        apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: host },
      });
      this.queue.done(q.info.key);
      this.opts.events.event(q.info.pod, 'Normal', REASON_SCHEDULED, `Successfully assigned ${namespace}/${name} to ${host}`);
    } catch (e) {
      this.cache.forgetPod(q.info);
      this.handleFailure(q, cycle, `running Bind plugin "DefaultBinder": ${(e as Error).message}`, REASON_SCHEDULER_ERROR, new Set());
    }
  }

  /**
   * handleSchedulingFailure: requeue (unless the pod is gone or bound meanwhile), record the
   * event, and write PodScheduled=False (and the nomination) to the pod's status.
   */
  private handleFailure(q: QueuedPodInfo, cycle: number, msg: string, reason: string, plugins: Set<string>, preemption?: PostFilterResult): void {
    const current = this.pods.getByName(q.info.namespace, q.info.name) as Pod | undefined;
    if (!current || isAssigned(current) || current.metadata?.uid !== q.info.uid) {
      this.queue.done(q.info.key);
      return;
    }
    const info = current === q.info.pod ? q.info : newPodInfo(current);
    this.queue.addUnschedulable({ ...q, info, unschedulablePlugins: plugins }, cycle);
    if (preemption) this.queue.addNominatedPod(info, preemption.nominatedNodeName);
    this.opts.events.event(current, 'Warning', REASON_FAILED_SCHEDULING, truncate(msg));
    void this.updatePodStatus(current, { type: 'PodScheduled', status: 'False', reason, message: msg },
      reason === REASON_UNSCHEDULABLE ? (preemption?.nominatedNodeName ?? '') : undefined);
  }

  /** Writes the condition and nominatedNodeName ('' clears it; undefined leaves it) when they change. */
  private async updatePodStatus(pod: Pod, cond: PodCondition, nominated: string | undefined): Promise<void> {
    const old = (pod.status?.conditions ?? []).find((c) => c.type === cond.type);
    const sameCondition = old?.status === cond.status && old?.reason === cond.reason && old?.message === cond.message;
    const currentNomination = pod.status?.nominatedNodeName ?? '';
    const sameNomination = nominated === undefined || nominated === currentNomination;
    if (sameCondition && sameNomination) return;
    const status: Obj = {
      conditions: [{ ...cond, lastProbeTime: null,
        lastTransitionTime: old?.status === cond.status && old?.lastTransitionTime ? old.lastTransitionTime : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }],
    };
    if (!sameNomination) status.nominatedNodeName = nominated || null;
    try {
      await this.opts.client.patch(ref('Pod', pod.metadata?.namespace), pod.metadata?.name ?? '', 'strategic', { status },
        { subresource: 'status', fieldManager: FIELD_MANAGER });
    } catch (e) {
      this.onError(`updating status of pod ${pod.metadata?.namespace}/${pod.metadata?.name}`, e);
    }
  }

  /**
   * prepareCandidate: mark and delete each victim (with a Preempted event), and clear the
   * nomination of lower-priority pods nominated to the same node. Failures are logged; the
   * preemptor is retried anyway and preempts again if it still does not fit.
   */
  private preempt(preemptor: PodInfo, result: PostFilterResult): void {
    const node = result.nominatedNodeName;
    for (const victim of result.victims) {
      void (async () => {
        const r = ref('Pod', victim.namespace);
        try {
          await this.opts.client.patch(r, victim.name, 'strategic', { status: { conditions: [{ type: 'DisruptionTarget', status: 'True',
            reason: 'PreemptionByScheduler', message: `${this.schedulerName}: preempting to accommodate a higher priority pod`,
            lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } }, { subresource: 'status', fieldManager: FIELD_MANAGER });
          await this.opts.client.delete(r, victim.name, { preconditions: { uid: victim.uid } });
          this.opts.events.event(victim.pod, 'Normal', REASON_PREEMPTED, `Preempted by pod ${preemptor.uid} on node ${node}`);
        } catch (e) {
          this.onError(`preempting pod ${victim.key}`, e);
        }
      })();
    }
    for (const p of this.queue.nominatedPodsForNode(node)) {
      if (p.priority >= preemptor.priority || p.key === preemptor.key) continue;
      this.queue.deleteNomination(p.key);
      void this.updatePodStatus(p.pod, { type: 'PodScheduled', status: 'False', reason: REASON_UNSCHEDULABLE,
        message: (p.pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled')?.message ?? '' }, '');
    }
  }
}
