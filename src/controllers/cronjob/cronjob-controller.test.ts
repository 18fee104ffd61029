import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { CronJobController } from './cronjob-controller.js';
import { parseSchedule } from './schedule.js';

let kit: ControllerTestKit;
let cc: CronJobController;
let n = 0;
const cronjobs = ref('CronJob', 'default');
const jobs = ref('Job', 'default');

before(async () => {
  kit = await startControllerTestKit();
  cc = new CronJobController(kit.ctx);
  cc.setup();
  await kit.start();
});
after(() => kit.close());
beforeEach(() => { kit.actions.length = 0; kit.events.length = 0; });

const newCronJob = (spec: Obj = {}): Obj => ({
  metadata: { name: `cj${++n}` },
  spec: { schedule: '*/5 * * * *', jobTemplate: { metadata: { labels: { team: 'a' }, annotations: { note: 'x' } },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
});

async function seed(cj: Obj): Promise<Obj> {
  const created = await kit.admin.create(cronjobs, cj);
  await kit.settle();
  return created;
}

async function sync(cj: Obj) {
  const r = await cc.reconcile(`default/${cj.metadata.name}`);
  await kit.settle();
  return r;
}

/** Moves the clock to `offsetMs` after the CronJob's next scheduled time (after `from`, default its creation). */
function advanceToNext(cj: Obj, offsetMs = 1000, from = Date.parse(cj.metadata.creationTimestamp)): number {
  const next = parseSchedule(cj.spec.schedule).next(Math.max(from, kit.ctx.now() - 1))!;
  kit.advance(next + offsetMs - kit.ctx.now());
  return next;
}

const getCJ = (cj: Obj) => kit.admin.get(cronjobs, cj.metadata.name);
const reasons = () => kit.events.map((e) => e.reason);

async function completeJob(name: string, type: 'Complete' | 'Failed', at: string) {
  const job = await kit.admin.get(jobs, name);
  job.status = { startTime: at, conditions: [{ type, status: 'True', lastTransitionTime: at }], ...(type === 'Complete' ? { completionTime: at } : {}) };
  await kit.admin.updateStatus(jobs, job);
  await kit.settle();
}

test('before the first scheduled time nothing is created and the sync is requeued just after it', async () => {
  const cj = await seed(newCronJob());
  const next = parseSchedule('*/5 * * * *').next(Date.parse(cj.metadata.creationTimestamp))!;
  const r = await sync(cj);
  assert.equal(kit.actions.filter((a) => a.verb === 'create').length, 0);
  const want = next + 100 - kit.ctx.now();
  assert.ok(r?.requeueAfterMs !== undefined && Math.abs(r.requeueAfterMs - want) < 1000, `${r?.requeueAfterMs} vs ${want}`);
});

test('at the scheduled time creates <cronjob>-<unix minutes> from the jobTemplate and records it as active', async () => {
  const cj = await seed(newCronJob());
  const scheduled = advanceToNext(cj);
  const r = await sync(cj);
  const name = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
  const job = await kit.admin.get(jobs, name);
  assert.equal(job.metadata.labels.team, 'a');
  assert.equal(job.metadata.annotations.note, 'x');
  assert.equal(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(scheduled).toISOString().replace('.000Z', 'Z'));
  assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid,
    controller: true, blockOwnerDeletion: true }]);
  const got = await getCJ(cj);
  assert.deepEqual(got.status.active.map((a: Obj) => [a.kind, a.name, a.uid, a.apiVersion]), [['Job', name, job.metadata.uid, 'batch/v1']]);
  assert.equal(Date.parse(got.status.lastScheduleTime), scheduled);
  assert.deepEqual(kit.events.map((e) => [e.reason, e.message]), [['SuccessfulCreate', `Created job ${name}`]]);
  assert.ok(r?.requeueAfterMs !== undefined && r.requeueAfterMs > 3 * 60_000 && r.requeueAfterMs <= 5 * 60_000);
  kit.actions.length = 0;
  await sync(cj);
  assert.equal(kit.actions.filter((a) => a.verb === 'create').length, 0, 'the same scheduled time is never run twice');
});

test('a finished Job leaves the active list (SawCompletedJob) and sets lastSuccessfulTime', async () => {
  const cj = await seed(newCronJob());
  const scheduled = advanceToNext(cj);
  await sync(cj);
  const name = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
  await completeJob(name, 'Complete', '2026-01-01T00:00:10Z');
  kit.events.length = 0;
  await sync(cj);
  const got = await getCJ(cj);
  assert.equal(got.status.active, undefined);
  assert.equal(got.status.lastSuccessfulTime, '2026-01-01T00:00:10Z');
  assert.deepEqual(kit.events.map((e) => [e.reason, e.message]), [['SawCompletedJob', `Saw completed job: ${name}, condition: Complete`]]);
});

test('concurrencyPolicy Forbid skips a run while a Job is active', async () => {
  const cj = await seed(newCronJob({ concurrencyPolicy: 'Forbid' }));
  advanceToNext(cj);
  await sync(cj);
  advanceToNext(cj, 1000, kit.ctx.now());
  kit.events.length = 0;
  kit.actions.length = 0;
  await sync(cj);
  assert.equal(kit.actions.filter((a) => a.verb === 'create' && a.resource === 'jobs').length, 0);
  assert.deepEqual(kit.events.map((e) => [e.reason, e.message]),
    [['JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid']]);
});

test('concurrencyPolicy Replace deletes the active Job and starts the new one', async () => {
  const cj = await seed(newCronJob({ concurrencyPolicy: 'Replace' }));
  const first = advanceToNext(cj);
  await sync(cj);
  const second = advanceToNext(cj, 1000, kit.ctx.now());
  kit.events.length = 0;
  await sync(cj);
  const firstName = `${cj.metadata.name}-${Math.floor(first / 60_000)}`, secondName = `${cj.metadata.name}-${Math.floor(second / 60_000)}`;
  assert.deepEqual(kit.events.map((e) => [e.reason, e.message]),
    [['SuccessfulDelete', `Deleted job ${firstName}`], ['SuccessfulCreate', `Created job ${secondName}`]]);
  assert.deepEqual((await getCJ(cj)).status.active.map((a: Obj) => a.name), [secondName]);
});

test('concurrencyPolicy Allow runs Jobs side by side', async () => {
  const cj = await seed(newCronJob());
  advanceToNext(cj);
  await sync(cj);
  advanceToNext(cj, 1000, kit.ctx.now());
  await sync(cj);
  assert.equal((await getCJ(cj)).status.active.length, 2);
});

test('a run missed by more than startingDeadlineSeconds is skipped, and the next one waited for', async () => {
  const cj = await seed(newCronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 10 }));
  advanceToNext(cj, 30_000);
  const r = await sync(cj);
  assert.equal(kit.actions.filter((a) => a.verb === 'create').length, 0);
  assert.ok(r?.requeueAfterMs !== undefined && r.requeueAfterMs > 59 * 60_000);
  advanceToNext(cj, 5_000, kit.ctx.now());
  await sync(cj);
  assert.deepEqual(reasons(), ['SuccessfulCreate'], 'within the deadline it runs');
});

test('a suspended CronJob creates nothing', async () => {
  const cj = await seed(newCronJob({ suspend: true }));
  advanceToNext(cj);
  const r = await sync(cj);
  assert.equal(kit.actions.filter((a) => a.verb === 'create').length, 0);
  assert.equal(r, undefined);
});

test('history limits delete the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit', async () => {
  const cj = await seed(newCronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }));
  const names: string[] = [];
  for (let i = 0; i < 3; i++) {
    const t = advanceToNext(cj, 1000, kit.ctx.now());
    await sync(cj);
    names.push(`${cj.metadata.name}-${Math.floor(t / 60_000)}`);
  }
  await completeJob(names[0]!, 'Complete', '2026-01-01T00:00:00Z');
  await completeJob(names[1]!, 'Complete', '2026-01-01T00:05:00Z');
  await completeJob(names[2]!, 'Failed', '2026-01-01T00:10:00Z');
  kit.events.length = 0;
  await sync(cj);
  const deleted = kit.events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message).sort();
  assert.deepEqual(deleted, [`Deleted job ${names[0]}`, `Deleted job ${names[2]}`]);
  assert.equal(reasons().filter((r) => r === 'SawCompletedJob').length, 3);
});

test('spec.timeZone: the schedule runs in that zone and the scheduled-timestamp annotation carries its offset', async () => {
  const cj = await seed(newCronJob({ timeZone: 'Etc/GMT-3' }));
  advanceToNext(cj, 3 * 3_600_000);
  await sync(cj);
  const job = (await kit.admin.list(jobs)).items.find((j) => j.metadata.name.startsWith(`${cj.metadata.name}-`))!;
  assert.match(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], /\+03:00$/);
});
