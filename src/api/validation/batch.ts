/**
 * @module batch/v1 Job and CronJob rules (pkg/apis/batch/validation): counts, completion mode,
 * restart policy, the generated selector, cron schedules, and what may change on update.
 */
import type { CronJob, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { immutable, invalid, nonNegative, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import { asSelector, validateLabelSelector } from '../../apimachinery/validation/labels.js';
import { matches } from '../../apimachinery/labels/selector.js';
import { cronScheduleError } from './cron.js';
import { validatePodTemplateSpec, validateEnum } from './pod-spec.js';
import type { KindRules } from './types.js';
import { validateSelectorMatchesTemplate } from './workload.js';

const maxParallelismForIndexedJob = 100000;

/** The spec checks shared by Jobs and CronJob job templates. */
function validateJobSpecCommon(spec: JobSpec | undefined, path: string): FieldError[] {
  const s = spec ?? ({} as Partial<JobSpec>);
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    errs.push(...nonNegative(`${path}.${f}`, s[f]));
  }
  const mode = s.completionMode;
  if (mode !== undefined) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (s.completions === undefined) errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
      if ((s.parallelism ?? 0) > maxParallelismForIndexedJob) {
        errs.push(invalid(`${path}.parallelism`, s.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
    }
  }
  errs.push(...validatePodTemplateSpec(s.template, `${path}.template`));
  const policy = s.template?.spec?.restartPolicy;
  if (policy !== 'OnFailure' && policy !== 'Never') {
    errs.push(notSupported(`${path}.template.spec.restartPolicy`, policy ?? '', ['OnFailure', 'Never']));
  }
  return errs;
}

/** A template label that generated selectors rely on (ValidateHasLabel). */
function hasLabel(template: PodTemplateSpec | undefined, key: string, want: string): FieldError[] {
  const labels = template?.metadata?.labels ?? {};
  const path = `spec.template.metadata.labels[${key}]`;
  if (!Object.hasOwn(labels, key)) return [required(path, key)];
  return labels[key] === want ? [] : [invalid(path, labels, `must be '${want}'`)];
}

/**
 * A generated selector must carry the job's uid and name. Checked once the server has assigned the
 * uid and called jobSelectorDefaults (upstream generates both in the same create step).
 */
function validateGeneratedSelector(job: Job): FieldError[] {
  const meta: ObjectMeta = job.metadata ?? {};
  if (job.spec?.manualSelector || !meta.uid) return [];
  const uid = meta.uid, name = meta.name ?? '';
  const errs = [...hasLabel(job.spec?.template, 'controller-uid', uid), ...hasLabel(job.spec?.template, 'job-name', name)];
  const expected = { 'controller-uid': uid, 'batch.kubernetes.io/controller-uid': uid, 'job-name': name, 'batch.kubernetes.io/job-name': name };
  const sel = asSelector(job.spec?.selector);
  if (sel && !matches(sel, expected)) errs.push(invalid('spec.selector', job.spec?.selector, '`selector` not auto-generated'));
  return errs;
}

function validateJob(job: Job): FieldError[] {
  const spec = job.spec;
  const errs = [...validateGeneratedSelector(job), ...validateJobSpecCommon(spec, 'spec')];
  if (!spec?.selector) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errs.push(...validateSelectorMatchesTemplate(spec?.selector, spec?.template, 'spec.template'));
  return errs;
}

function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const s = job.spec, o = old.spec;
  const errs = [...immutable('spec.selector', s?.selector, o?.selector), ...immutable('spec.completionMode', s?.completionMode, o?.completionMode)];
  // Indexed jobs are elastic: completions may follow parallelism.
  const elastic = s?.completionMode === 'Indexed' && s.completions === s.parallelism && o?.completions === o?.parallelism;
  if (!elastic) errs.push(...immutable('spec.completions', s?.completions, o?.completions));
  errs.push(...immutable('spec.template', s?.template, o?.template));
  return errs;
}

function validateJobStatus(job: Job): FieldError[] {
  const st = job.status ?? {};
  return ['active', 'succeeded', 'failed', 'ready', 'terminating'].flatMap((f) => nonNegative(`status.${f}`, (st as Record<string, number>)[f]));
}

export const jobRules: KindRules = { spec: validateJob, update: validateJobUpdate, status: validateJobStatus };

function validateCronJob(cj: CronJob, old?: CronJob): FieldError[] {
  const errs: FieldError[] = [];
  // Job names get an 11-character suffix and must stay DNS-1035 labels.
  const name = cj.metadata?.name ?? '';
  if (name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  const spec = cj.spec;
  const schedule = spec?.schedule ?? '';
  if (!schedule) errs.push(required('spec.schedule'));
  else {
    const err = cronScheduleError(schedule);
    if (err) errs.push(invalid('spec.schedule', schedule, err));
    const allowTZ = old?.spec?.schedule.includes('TZ') ?? false;
    if (allowTZ && schedule.includes('TZ') && spec?.timeZone !== undefined) {
      errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  errs.push(...nonNegative('spec.startingDeadlineSeconds', spec?.startingDeadlineSeconds));
  errs.push(...validateEnum(spec?.concurrencyPolicy, ['Allow', 'Forbid', 'Replace'], 'spec.concurrencyPolicy'));
  const jt = spec?.jobTemplate?.spec;
  errs.push(...validateJobSpecCommon(jt, 'spec.jobTemplate.spec'));
  if (jt?.selector) errs.push(invalid('spec.jobTemplate.spec.selector', jt.selector, '`selector` will be auto-generated'));
  if (jt?.manualSelector) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', jt.manualSelector, ['nil', 'false']));
  errs.push(...nonNegative('spec.successfulJobsHistoryLimit', spec?.successfulJobsHistoryLimit));
  errs.push(...nonNegative('spec.failedJobsHistoryLimit', spec?.failedJobsHistoryLimit));
  return errs;
}

export const cronJobRules: KindRules = { spec: validateCronJob };
