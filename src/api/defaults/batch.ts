/**
 * @module batch/v1 defaulting (SetDefaults_Job, _CronJob) and the Job selector generation that
 * upstream's Job strategy performs once the uid is known.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { defaultPodTemplate } from './pod.js';

export const ControllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const JobNameLabel = 'batch.kubernetes.io/job-name';
export const LegacyControllerUidLabel = 'controller-uid';
export const LegacyJobNameLabel = 'job-name';

export function defaultJob(job: Job): void {
  const spec = job.spec;
  if (!spec) return;
  // A non-parallel job may leave both unset; then both are 1.
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2 ** 31 - 1 : 6;
  const templateLabels = spec.template?.metadata?.labels;
  // Upstream shares one map here, so the labels jobSelectorDefaults adds show on the Job too.
  if (templateLabels && !Object.keys(job.metadata?.labels ?? {}).length) (job.metadata ??= {}).labels = templateLabels;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const c of rule.onPodConditions ?? []) c.status ||= 'True';
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  defaultPodTemplate(spec.template);
}

/**
 * Unless the selector is manual, labels the pod template with the job's name and uid (new and legacy
 * keys, keeping any the user set so validation can reject a conflict) and selects on the uid. Call
 * after the uid is assigned and before validate, as the Job strategy does.
 */
export function jobSelectorDefaults(job: Job, uid: string): void {
  const spec = job.spec;
  if (!spec || spec.manualSelector) return;
  const name = job.metadata?.name ?? '';
  const template = (spec.template ??= {});
  const labels = ((template.metadata ??= {}).labels ??= {});
  for (const key of [LegacyJobNameLabel, JobNameLabel]) if (!Object.hasOwn(labels, key)) labels[key] = name;
  for (const key of [LegacyControllerUidLabel, ControllerUidLabel]) if (!Object.hasOwn(labels, key)) labels[key] = uid;
  const matchLabels = ((spec.selector ??= {}).matchLabels ??= {});
  if (!Object.hasOwn(matchLabels, ControllerUidLabel)) matchLabels[ControllerUidLabel] = uid;
}

export function defaultCronJob(cj: CronJob): void {
  const spec = cj.spec;
  if (!spec) return;
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultPodTemplate(spec.jobTemplate?.spec?.template);
}
