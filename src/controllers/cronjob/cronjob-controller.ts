/**
 * @module The CronJob controller (kube-controller-manager's "cronjob", upstream's v2): creates a
 * Job `<cronjob>-<unix minutes>` at each scheduled time, honouring suspend, startingDeadlineSeconds,
 * concurrencyPolicy and timeZone, tracks active Jobs in status and prunes finished ones.
 */
import { isAlreadyExists, isNotFound } from '../../apimachinery/errors.js';
import type { Obj } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { type Informer, keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { rfc3339 } from '../controller-utils/conditions.js';
import { getControllerOf, newControllerRef } from '../controller-utils/controller-ref.js';
import { finishedCondition, isJobFinished } from '../job/job-util.js';
import { parseSchedule, type Schedule, timeZone } from './schedule.js';
import { jobNameFor, mostRecentScheduleTime, nextScheduleDelayMs } from './schedule-times.js';

export const Name = 'cronjob';
const FieldManager = 'kube-controller-manager';
/** The annotation with the Job's scheduled time (RFC 3339, in the CronJob's time zone). */
export const CronJobScheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const JobsByCronJobIndex = 'tugboat.dev/cronjob-uid';

export interface CronJobControllerOptions {
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

export class CronJobController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private readonly events: EventSink;
  private cjInformer!: Informer;
  private jobInformer!: Informer;

  constructor(private ctx: ControllerContext, private opts: CronJobControllerOptions = {}) {
    this.events = ctx.recorder('cronjob-controller');
  }

  setup(): void {
    this.cjInformer = this.ctx.informers.informer(ref('CronJob').type);
    this.jobInformer = this.ctx.informers.informer(ref('Job').type);
    this.jobInformer.addIndex(JobsByCronJobIndex, (j) => {
      const c = getControllerOf(j);
      return c?.kind === 'CronJob' ? [`${j.metadata?.namespace}/${c.uid}`] : [];
    });
    this.cjInformer.addHandler({ add: (cj) => this.enqueue(cj), update: (_o, cj) => this.enqueue(cj) });
    const jobChanged = (job: Obj) => {
      const c = getControllerOf(job);
      if (c?.kind !== 'CronJob') return;
      const cj = this.cjInformer.getByName(job.metadata.namespace, c.name);
      if (cj?.metadata?.uid === c.uid) this.enqueue(cj);
    };
    this.jobInformer.addHandler({ add: jobChanged, update: (_o, j) => jobChanged(j), delete: jobChanged });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 5, signal, onError: this.opts.onError });
  }

  private enqueue(cj: Obj): void { this.queue.add(keyOf(cj)); }

  /** sync: reconciles one CronJob and asks to be called again just after its next scheduled time. */
  async reconcile(key: string): Promise<Result | void> {
    const shared = this.cjInformer.get(key);
    if (!shared) return;
    const cj = structuredClone(shared);
    const before = JSON.stringify(cj.status ?? {});
    const jobs = this.jobInformer.byIndex(JobsByCronJobIndex, `${cj.metadata.namespace}/${cj.metadata.uid}`);
    let requeueAfterMs: number | undefined;
    let syncErr: unknown;
    try {
      requeueAfterMs = await this.syncCronJob(cj, jobs);
    } catch (e) {
      syncErr = e;
    }
    await this.cleanupFinishedJobs(cj, jobs);
    if (JSON.stringify(cj.status ?? {}) !== before) {
      await this.ctx.client.updateStatus(ref('CronJob', cj.metadata.namespace), cj, { fieldManager: FieldManager });
    }
    if (syncErr) throw syncErr;
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /** syncCronJob: updates cj.status in place; returns when to sync next (ms), if at all. */
  private async syncCronJob(cj: Obj, jobs: Obj[]): Promise<number | undefined> {
    const now = this.ctx.now();
    const status = (cj.status ??= {});
    const ns = cj.metadata.namespace;
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata.uid);
      const found = inActiveList(cj, j.metadata.uid);
      if (!found && !isJobFinished(j)) {
        const fresh = await this.ctx.client.get(ref('CronJob', ns), cj.metadata.name);
        if (inActiveList(fresh, j.metadata.uid)) {
          status.active = fresh.status.active;
          continue;
        }
        this.events.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (found && isJobFinished(j)) {
        const cond = finishedCondition(j)!;
        removeFromActive(cj, j.metadata.uid);
        this.events.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${cond.type}`);
      }
      if (isJobFinished(j) && j.status?.completionTime) {
        // A finished Job need not be active for its completion time to count.
        if (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime)) {
          status.lastSuccessfulTime = j.status.completionTime;
        }
      }
    }
    // Drop active entries whose Job is gone (asking the API, in case the cache is behind).
    for (const a of [...(status.active ?? [])]) {
      if (children.has(a.uid)) continue;
      try {
        await this.ctx.client.get(ref('Job', a.namespace ?? ns), a.name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.events.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${a.name}`);
        removeFromActive(cj, a.uid);
      }
    }
    if (cj.metadata.deletionTimestamp) return undefined;
    if (cj.spec?.timeZone != null) {
      try {
        timeZone(cj.spec.timeZone);
      } catch (e) {
        this.events.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(cj.spec.timeZone)}: ${(e as Error).message}`);
        return undefined;
      }
    }
    if (cj.spec?.suspend) return undefined;
    let sched: Schedule;
    try {
      sched = parseSchedule(this.formatSchedule(cj));
    } catch (e) {
      this.events.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${(e as Error).message}`);
      return undefined;
    }
    const recent = mostRecentScheduleTime(cj, now, sched, true);
    if (recent.error) {
      this.events.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${recent.error}`);
      return undefined;
    }
    const scheduled = recent.mostRecent;
    if (scheduled === undefined || scheduled > now) return nextScheduleDelayMs(cj, now, sched);
    if (recent.missed === 'many') {
      this.events.event(cj, 'Warning', 'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    // Upstream's guard; mostRecentScheduleTime already skipped times older than the deadline.
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline != null && scheduled + deadline * 1000 < now) {
      this.events.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return nextScheduleDelayMs(cj, now, sched);
    }
    const name = jobNameFor(cj, scheduled);
    if ((status.active ?? []).some((a: Obj) => a.name === name) ||
      (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled)) {
      return nextScheduleDelayMs(cj, now, sched);
    }
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (status.active ?? []).length > 0) {
      this.events.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return nextScheduleDelayMs(cj, now, sched);
    }
    if (policy === 'Replace') {
      for (const a of [...(status.active ?? [])]) {
        let job: Obj;
        try {
          job = await this.ctx.client.get(ref('Job', a.namespace ?? ns), a.name);
        } catch (e) {
          this.events.event(cj, 'Warning', 'FailedGet', `Get job: ${(e as Error).message}`);
          throw e;
        }
        await this.deleteJob(cj, job);
      }
    }
    const req = this.jobFromTemplate(cj, scheduled);
    let created: Obj;
    try {
      created = await this.ctx.client.create(ref('Job', ns), req, { fieldManager: FieldManager });
      this.events.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.events.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
        throw e;
      }
      // Made by an earlier sync (or someone else): adopt it into the status only if it is ours.
      created = await this.ctx.client.get(ref('Job', ns), name);
      if (getControllerOf(created)?.uid !== cj.metadata.uid || inActiveList(cj, created.metadata.uid)) return undefined;
    }
    status.active = [...(status.active ?? []), jobReference(created)];
    status.lastScheduleTime = rfc3339(scheduled);
    return nextScheduleDelayMs(cj, now, sched);
  }

  /** formatSchedule: prefixes TZ=<spec.timeZone>, warning when the schedule names its own zone. */
  private formatSchedule(cj: Obj): string {
    const schedule: string = cj.spec?.schedule ?? '';
    if (schedule.includes('TZ')) {
      this.events.event(cj, 'Warning', 'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
      return schedule;
    }
    return cj.spec?.timeZone != null ? `TZ=${cj.spec.timeZone} ${schedule}` : schedule;
  }

  /** getJobFromTemplate2: the jobTemplate's labels, annotations and spec, named for the scheduled time. */
  private jobFromTemplate(cj: Obj, scheduled: number): Obj {
    const tmpl = cj.spec?.jobTemplate ?? {};
    const zone = timeZone(cj.spec?.timeZone ?? '');
    return {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: {
        name: jobNameFor(cj, scheduled),
        labels: { ...tmpl.metadata?.labels },
        annotations: { ...tmpl.metadata?.annotations, [CronJobScheduledTimestampAnnotation]: rfc3339InZone(scheduled, zone.offsetMs(scheduled)) },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: structuredClone(tmpl.spec ?? {}),
    };
  }

  /** deleteJob: background deletion; SuccessfulDelete and removal from active, or FailedDelete. */
  private async deleteJob(cj: Obj, job: Obj): Promise<void> {
    try {
      await this.ctx.client.delete(ref('Job', job.metadata.namespace), job.metadata.name,
        { propagationPolicy: 'Background', fieldManager: FieldManager });
    } catch (e) {
      if (!isNotFound(e)) {
        this.events.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
        throw e;
      }
    }
    removeFromActive(cj, job.metadata.uid);
    this.events.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  }

  /** cleanupFinishedJobs: keeps the newest successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs. */
  private async cleanupFinishedJobs(cj: Obj, jobs: Obj[]): Promise<void> {
    const succeededLimit = cj.spec?.successfulJobsHistoryLimit, failedLimit = cj.spec?.failedJobsHistoryLimit;
    if (succeededLimit == null && failedLimit == null) return;
    const succeeded = jobs.filter((j) => finishedCondition(j)?.type === 'Complete');
    const failed = jobs.filter((j) => finishedCondition(j)?.type === 'Failed');
    if (succeededLimit != null) await this.removeOldestJobs(cj, succeeded, succeededLimit);
    if (failedLimit != null) await this.removeOldestJobs(cj, failed, failedLimit);
  }

  private async removeOldestJobs(cj: Obj, jobs: Obj[], limit: number): Promise<void> {
    const excess = jobs.length - limit;
    if (excess <= 0) return;
    // Oldest first by start time; Jobs that never started count as oldest.
    const sorted = [...jobs].sort((a, b) => startOf(a) - startOf(b) || a.metadata.name.localeCompare(b.metadata.name));
    for (const j of sorted.slice(0, excess)) {
      try {
        await this.deleteJob(cj, j);
      } catch {
        // Logged through FailedDelete; the next sync tries again.
      }
    }
  }
}

const startOf = (j: Obj) => (j.status?.startTime ? Date.parse(j.status.startTime) : 0);
const inActiveList = (cj: Obj, uid: string) => (cj.status?.active ?? []).some((a: Obj) => a.uid === uid);

function removeFromActive(cj: Obj, uid: string): void {
  const rest = (cj.status?.active ?? []).filter((a: Obj) => a.uid !== uid);
  if (rest.length) cj.status.active = rest;
  else if (cj.status) delete cj.status.active;
}

/** An ObjectReference to a Job, as reference.GetReference makes it. */
const jobReference = (job: Obj) => ({
  kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid,
  apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion,
});

/** Go's time.RFC1123Z of a UTC time: "Mon, 02 Jan 2006 15:04:05 +0000". */
const rfc1123z = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

/** RFC 3339 in a zone with this offset ("Z" for UTC), as Go's time.Format(time.RFC3339) writes it. */
function rfc3339InZone(ms: number, offsetMs: number): string {
  if (offsetMs === 0) return rfc3339(ms);
  const wall = new Date(ms + offsetMs).toISOString().replace(/\.\d{3}Z$/, '');
  const m = Math.abs(offsetMs) / 60_000;
  return `${wall}${offsetMs < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
