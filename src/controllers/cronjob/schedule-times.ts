/**
 * @module Which scheduled time a CronJob should start now, and when to look again (upstream's
 * cronjob utils.go: mostRecentScheduleTime, nextScheduleTime, nextScheduleTimeDuration, job names).
 */
import type { Obj } from '../../client/client.js';
import type { Schedule } from './schedule.js';

/** nextScheduleDelta: requeue this long after the next activation, so that it has surely passed. */
export const NextScheduleDeltaMs = 100;

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent { earliest: number; mostRecent?: number; missed: Missed; error?: string }

/**
 * mostRecentScheduleTime: the latest activation in (earliest, now], where earliest is the last
 * schedule time (or creation), moved up to now − startingDeadlineSeconds when asked.
 */
export function mostRecentScheduleTime(cj: Obj, now: number, sched: Schedule, includeDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp);
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeDeadline && deadline != null) earliest = Math.max(earliest, now - deadline * 1000);
  const t1 = sched.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const missedCount = Math.floor((now - t1) / 1000 / between) + 1;
  // Start near the end (one interval early, for irregular schedules) instead of walking every miss.
  let mostRecent: number | undefined;
  for (let t = sched.next(t1 + (missedCount - 2) * between * 1000); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** nextScheduleTimeDuration: ms from now until just after the next activation. */
export function nextScheduleDelayMs(cj: Obj, now: number, sched: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, sched, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  const next = sched.next(from);
  return next === undefined ? undefined : next + NextScheduleDeltaMs - now;
}

/** getJobName: `<cronjob>-<scheduled time in unix minutes>`. */
export const jobNameFor = (cj: Obj, scheduledMs: number): string => `${cj.metadata.name}-${Math.floor(scheduledMs / 60_000)}`;
