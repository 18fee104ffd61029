/**
 * @module Indexed completion mode (upstream's indexed_job_utils.go): the completion index of a
 * pod, the "1,3-5" interval format of status.completedIndexes, and which indexes still need pods.
 */
import type { Obj } from '../../client/client.js';

export const JobCompletionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';
/** The env var the pod reads its index from (through the annotation). */
export const JobCompletionIndexEnvName = 'JOB_COMPLETION_INDEX';
/** names.MaxGeneratedNameLength. */
const MaxGeneratedNameLength = 58;

export const isIndexedJob = (job: Obj): boolean => job.spec?.completionMode === 'Indexed';

/** getCompletionIndex: the annotation as a non-negative int, or -1 when absent or malformed. */
export function completionIndex(pod: Obj): number {
  const v = pod.metadata?.annotations?.[JobCompletionIndexAnnotation];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  const n = Number(v);
  return n < 2 ** 31 ? n : -1;
}

/** Parses "0,2-4" into sorted indexes below `completions` (malformed parts are skipped, as upstream logs and skips). */
export function parseIndexes(s: string | undefined, completions: number): number[] {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const first = Number(m[1]), last = Math.min(Number(m[2] ?? m[1]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** Formats sorted indexes as intervals: [0,1,2,5] → "0-2,5". */
export function formatIndexes(ix: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ix.length; i++) {
    let j = i;
    while (j + 1 < ix.length && ix[j + 1] === ix[j]! + 1) j++;
    parts.push(j === i ? `${ix[i]}` : `${ix[i]}-${ix[j]}`);
    i = j;
  }
  return parts.join(',');
}

/** firstPendingIndexes: the lowest `count` indexes that have neither succeeded nor an active pod. */
export function firstPendingIndexes(activePods: Obj[], succeeded: Set<number>, count: number, completions: number): number[] {
  const taken = new Set(succeeded);
  for (const p of activePods) taken.add(completionIndex(p));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/** podGenerateNameWithIndex: `<job>-<index>-`, the job name cut so the prefix stays a valid generateName. */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MaxGeneratedNameLength ? jobName.slice(0, MaxGeneratedNameLength - suffix.length) + suffix : prefix;
}

/** addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the annotation, in every (init) container lacking it. */
export function addCompletionIndexEnv(spec: Obj): void {
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Obj[]) {
    if ((c.env ?? []).some((e: Obj) => e.name === JobCompletionIndexEnvName)) continue;
    c.env = [...(c.env ?? []), { name: JobCompletionIndexEnvName,
      valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JobCompletionIndexAnnotation}']` } } }];
  }
}
