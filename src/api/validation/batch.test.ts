/** @module Tests for Job and CronJob validation and the cron schedule parser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobSelectorDefaults } from '../defaults/index.js';
import { cronScheduleError } from './cron.js';
import { errorsOf } from './testing.js';

const podTemplate = (spec: any = {}) => ({ spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1' }], ...spec } });
const job = (spec: any = {}) => ({ metadata: { name: 'pi', namespace: 'default', uid: 'u1' }, spec: { template: podTemplate(), ...spec } });
const jobErrors = (j: any) => {
  jobSelectorDefaults(j, j.metadata.uid);
  return errorsOf('batch/v1', 'Job', j);
};

test('a job with a generated selector is valid', () => assert.deepEqual(jobErrors(job()), []));

test('a job template must not restart always', () => {
  assert.deepEqual(jobErrors(job({ template: podTemplate({ restartPolicy: 'Always' }) })),
    ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
});

test('a job with a manual selector needs one', () => {
  assert.deepEqual(jobErrors(job({ manualSelector: true })),
    ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`']);
});

test('an indexed job needs completions', () => {
  assert.deepEqual(jobErrors(job({ completionMode: 'Indexed', parallelism: 2 })), ['spec.completions: Required value: when completion mode is Indexed']);
});

test('a job selector and template cannot change on update', () => {
  const old = job();
  jobErrors(old);
  const next = structuredClone(old);
  next.spec.template.spec.containers[0].image = 'busybox:2';
  const errs = errorsOf('batch/v1', 'Job', next, old);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^spec\.template: Invalid value: .*: field is immutable$/);
});

const cronJob = (schedule: string, extra: any = {}) => ({
  metadata: { name: 'nightly', namespace: 'default' }, spec: { schedule, jobTemplate: { spec: { template: podTemplate() } }, ...extra },
});

const cronCases: { name: string; schedule: string; want: string[] }[] = [
  { name: 'a five-field schedule is valid', schedule: '*/5 0-6 * JAN mon-fri', want: [] },
  { name: 'a descriptor is valid', schedule: '@hourly', want: [] },
  { name: 'an @every interval is valid', schedule: '@every 1h30m', want: [] },
  { name: 'four fields are reported with the fields found', schedule: '* * * *',
    want: ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'] },
  { name: 'a minute beyond 59 is reported', schedule: '60 * * * *',
    want: ['spec.schedule: Invalid value: "60 * * * *": end of range (60) above maximum (59): 60'] },
  { name: 'an unknown descriptor is reported', schedule: '@fortnightly',
    want: ['spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly'] },
  { name: 'a word where a number belongs is reported as Go reports it', schedule: 'x * * * *',
    want: ['spec.schedule: Invalid value: "x * * * *": failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'] },
  { name: 'a time zone in the schedule is refused in favour of the field', schedule: 'TZ=UTC * * * * *',
    want: ['spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'] },
];
for (const c of cronCases) test(c.name, () => assert.deepEqual(errorsOf('batch/v1', 'CronJob', cronJob(c.schedule)), c.want));

test('a cron job name longer than 52 characters is rejected', () => {
  const cj = cronJob('@daily');
  cj.metadata.name = 'a'.repeat(53);
  assert.deepEqual(errorsOf('batch/v1', 'CronJob', cj), [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`]);
});

test('a cron job template may not carry a selector', () => {
  const cj = cronJob('@daily');
  (cj.spec.jobTemplate.spec as any).selector = { matchLabels: { a: 'b' } };
  assert.deepEqual(errorsOf('batch/v1', 'CronJob', cj), ['spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated']);
});

test('the cron parser accepts steps, lists and names', () => {
  for (const s of ['0,15,30,45 * * * *', '0 0 1 */2 sun', '5/10 * * * *', '0 0 * * 0-6']) assert.equal(cronScheduleError(s), undefined, s);
  assert.equal(cronScheduleError('0 0 * * 7'), 'end of range (7) above maximum (6): 7');
});
