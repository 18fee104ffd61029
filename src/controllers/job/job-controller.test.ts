import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { JobController } from './job-controller.js';
import { TTLAfterFinishedController } from './ttl-after-finished.js';

let kit: ControllerTestKit;
let jc: JobController;
let ttl: TTLAfterFinishedController;
let n = 0;
const pods = ref('Pod', 'default');
const jobs = ref('Job', 'default');

before(async () => {
  kit = await startControllerTestKit();
  jc = new JobController(kit.ctx);
  jc.setup();
  ttl = new TTLAfterFinishedController(kit.ctx);
  ttl.setup();
  await kit.start();
});
after(() => kit.close());
beforeEach(() => { kit.actions.length = 0; kit.events.length = 0; });

const newJob = (spec: Obj = {}, template: Obj = {}): Obj => ({
  metadata: { name: `job${++n}` },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }], ...template } }, ...spec },
});

async function seed(job: Obj): Promise<Obj> {
  const created = await kit.admin.create(jobs, job);
  await kit.settle();
  return created;
}

/** Reconciles, then waits for the informers to see the writes. */
async function sync(job: Obj) {
  const r = await jc.reconcile(`default/${job.metadata.name}`);
  await kit.settle();
  return r;
}

const jobPods = async (job: Obj) =>
  (await kit.admin.list(pods, { labelSelector: `batch.kubernetes.io/controller-uid=${job.metadata.uid}` })).items
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
const getJob = (job: Obj) => kit.admin.get(jobs, job.metadata.name);
const cond = (job: Obj, type: string) => (job.status?.conditions ?? []).find((c: Obj) => c.type === type);

async function finish(pod: Obj, phase: 'Succeeded' | 'Failed', extra: Obj = {}) {
  const fresh = await kit.admin.get(pods, pod.metadata.name);
  fresh.status = { ...fresh.status, phase, ...extra };
  await kit.admin.updateStatus(pods, fresh);
  await kit.settle();
}

test('creates parallelism pods from the template with the tracking finalizer, selector labels and a controller ownerReference', async () => {
  const job = await seed(newJob({ parallelism: 2, completions: 5 }));
  await sync(job);
  const created = kit.actions.filter((a) => a.verb === 'create' && a.resource === 'pods');
  assert.equal(created.length, 2);
  const body = created[0]!.body as Obj;
  assert.equal(body.metadata.generateName, `${job.metadata.name}-`);
  assert.deepEqual(body.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
  assert.equal(body.metadata.labels['batch.kubernetes.io/controller-uid'], job.metadata.uid);
  assert.equal(body.metadata.labels['job-name'], job.metadata.name);
  assert.deepEqual(body.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name,
    uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(kit.events.map((e) => [e.reason, e.component]), Array(2).fill(['SuccessfulCreate', 'job-controller']));
  const got = await getJob(job);
  assert.equal(got.status.active, 2);
  assert.equal(got.status.ready, 0);
  assert.equal(got.status.terminating, 0);
  assert.deepEqual(got.status.uncountedTerminatedPods, {});
  assert.ok(got.status.startTime);
});

test('counts succeeded pods through uncountedTerminatedPods, then completes with SuccessCriteriaMet and Complete', async () => {
  const job = await seed(newJob({ parallelism: 2, completions: 2 }));
  await sync(job);
  for (const p of await jobPods(job)) await finish(p, 'Succeeded');
  kit.events.length = 0;
  kit.actions.length = 0;
  await sync(job);
  const statusWrites = kit.actions.filter((a) => a.resource === 'jobs/status').map((a) => a.body as Obj);
  assert.equal(statusWrites[0]!.uncountedTerminatedPods.succeeded.length, 2, 'first the uids are recorded as uncounted');
  const got = await getJob(job);
  assert.equal(got.status.succeeded, 2);
  assert.equal(got.status.active, undefined);
  assert.deepEqual(got.status.uncountedTerminatedPods, {});
  assert.deepEqual(got.status.conditions.map((c: Obj) => [c.type, c.status, c.reason]),
    [['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);
  assert.equal(cond(got, 'Complete').message, 'Reached expected number of succeeded pods');
  assert.equal(got.status.completionTime, cond(got, 'Complete').lastTransitionTime);
  for (const p of await jobPods(job)) assert.equal(p.metadata.finalizers, undefined, 'finalizers removed');
  assert.deepEqual(kit.events.map((e) => [e.type, e.reason, e.message]), [['Normal', 'Completed', 'Job completed']]);
});

test('a Job without completions completes when one pod succeeded and none is active', async () => {
  const job = await seed(newJob({ parallelism: 2, completions: null }));
  await sync(job);
  const [a, b] = await jobPods(job);
  await finish(a!, 'Succeeded');
  await sync(job);
  assert.equal(cond(await getJob(job), 'Complete'), undefined, 'still one active');
  assert.equal(kit.actions.filter((x) => x.verb === 'create' && x.resource === 'pods').length, 2, 'no replacement after a success');
  await finish(b!, 'Succeeded');
  await sync(job);
  assert.equal(cond(await getJob(job), 'Complete')?.status, 'True');
});

test('failed pods beyond backoffLimit fail the Job with BackoffLimitExceeded (FailureTarget first)', async () => {
  const job = await seed(newJob({ backoffLimit: 0 }));
  await sync(job);
  const [p] = await jobPods(job);
  await finish(p!, 'Failed');
  kit.events.length = 0;
  await sync(job);
  const got = await getJob(job);
  assert.equal(got.status.failed, 1);
  assert.deepEqual(got.status.conditions.map((c: Obj) => [c.type, c.reason, c.message]), [
    ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']]);
  assert.equal(got.status.completionTime, undefined);
  assert.deepEqual(kit.events.map((e) => [e.type, e.reason, e.message]),
    [['Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']]);
});

test('a failed pod is replaced only after the pod failure backoff (10 s, doubling)', async () => {
  const job = await seed(newJob({ backoffLimit: 3 }));
  await sync(job);
  const [p] = await jobPods(job);
  const finishedAt = new Date(kit.ctx.now()).toISOString();
  await finish(p!, 'Failed', { containerStatuses: [{ name: 'c', restartCount: 0, state: { terminated: { exitCode: 1, finishedAt } } }] });
  kit.actions.length = 0;
  const r = await sync(job);
  assert.equal(kit.actions.filter((a) => a.verb === 'create' && a.resource === 'pods').length, 0);
  assert.ok(r?.requeueAfterMs !== undefined && r.requeueAfterMs > 8000 && r.requeueAfterMs <= 10_000, `requeue ${r?.requeueAfterMs}`);
  assert.equal((await getJob(job)).status.failed, 1);
  kit.advance(11_000);
  await sync(job);
  assert.equal(kit.actions.filter((a) => a.verb === 'create' && a.resource === 'pods').length, 1, 'replaced after the backoff');
});

test('with restartPolicy OnFailure, container restarts count against backoffLimit', async () => {
  const job = await seed(newJob({ backoffLimit: 2 }, { restartPolicy: 'OnFailure' }));
  await sync(job);
  const [p] = await jobPods(job);
  const fresh = await kit.admin.get(pods, p!.metadata.name);
  fresh.status = { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: 2, ready: false, image: 'busybox', imageID: '' }] };
  await kit.admin.updateStatus(pods, fresh);
  await kit.settle();
  kit.events.length = 0;
  await sync(job);
  const got = await getJob(job);
  assert.equal(cond(got, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  assert.deepEqual(kit.events.map((e) => e.reason), ['SuccessfulDelete'], 'the active pod is deleted');
});

test('activeDeadlineSeconds: requeues until the deadline, then deletes active pods and fails with DeadlineExceeded', async () => {
  const job = await seed(newJob({ activeDeadlineSeconds: 30, parallelism: 2, completions: 4 }));
  const r = await sync(job);
  assert.ok(r?.requeueAfterMs !== undefined && r.requeueAfterMs <= 30_000 && r.requeueAfterMs > 25_000);
  kit.advance(31_000);
  kit.events.length = 0;
  await sync(job);
  let got = await getJob(job);
  assert.equal(cond(got, 'FailureTarget')?.reason, 'DeadlineExceeded');
  assert.deepEqual(kit.events.filter((e) => e.reason === 'SuccessfulDelete').length, 2);
  const left = await jobPods(job);
  // Unbound pods go at once when their finalizer is removed; any left must be terminating.
  for (const p of left) assert.ok(p.metadata.deletionTimestamp);
  await sync(job);
  got = await getJob(job);
  assert.equal(cond(got, 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal(cond(got, 'Failed')?.message, 'Job was active longer than specified deadline');
  assert.equal(got.status.failed, 2, 'pods deleted while finishing count as failed');
  assert.ok(kit.events.some((e) => e.type === 'Warning' && e.reason === 'DeadlineExceeded'));
});

test('Indexed: each pod gets its completion index annotation, label, env, hostname and name; completedIndexes', async () => {
  const job = await seed(newJob({ completionMode: 'Indexed', completions: 3, parallelism: 3 }));
  await sync(job);
  const ps = await jobPods(job);
  assert.deepEqual(ps.map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort(), ['0', '1', '2']);
  for (const p of ps) {
    const ix = p.metadata.annotations['batch.kubernetes.io/job-completion-index'];
    assert.equal(p.metadata.labels['batch.kubernetes.io/job-completion-index'], ix);
    assert.match(p.metadata.name, new RegExp(`^${job.metadata.name}-${ix}-[a-z0-9]{5}$`));
    assert.equal(p.spec.hostname, `${job.metadata.name}-${ix}`);
    assert.deepEqual(p.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  }
  const byIx = (i: number) => ps.find((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index'] === String(i))!;
  await finish(byIx(0), 'Succeeded');
  await finish(byIx(2), 'Succeeded');
  await sync(job);
  let got = await getJob(job);
  assert.equal(got.status.completedIndexes, '0,2');
  assert.equal(got.status.succeeded, 2);
  await finish(byIx(1), 'Failed');
  kit.advance(60_000);
  kit.actions.length = 0;
  await sync(job);
  const again = kit.actions.filter((a) => a.verb === 'create' && a.resource === 'pods');
  assert.equal(again.length, 1);
  assert.equal((again[0]!.body as Obj).metadata.annotations['batch.kubernetes.io/job-completion-index'], '1', 'the failed index is retried');
  const retry = (await jobPods(job)).find((p) => !p.status?.phase || p.status.phase === 'Pending')!;
  await finish(retry, 'Succeeded');
  await sync(job);
  got = await getJob(job);
  assert.equal(got.status.completedIndexes, '0-2');
  assert.equal(cond(got, 'Complete')?.status, 'True');
});

test('suspend deletes active pods (without counting failures) and sets Suspended; resuming resets startTime', async () => {
  const job = await seed(newJob({ parallelism: 2, completions: 2 }));
  await sync(job);
  const cur = await getJob(job);
  cur.spec.suspend = true;
  await kit.admin.update(jobs, cur);
  await kit.settle();
  kit.events.length = 0;
  await sync(job);
  let got = await getJob(job);
  assert.deepEqual([cond(got, 'Suspended')?.status, cond(got, 'Suspended')?.reason, cond(got, 'Suspended')?.message],
    ['True', 'JobSuspended', 'Job suspended']);
  assert.equal(got.status.failed, undefined);
  assert.deepEqual(kit.events.map((e) => e.reason).sort(), ['SuccessfulDelete', 'SuccessfulDelete', 'Suspended']);
  const suspendedStart = Date.parse(got.status.startTime);
  kit.advance(5000);
  got.spec.suspend = false;
  await kit.admin.update(jobs, got);
  await kit.settle();
  await sync(job);
  got = await getJob(job);
  assert.deepEqual([cond(got, 'Suspended')?.status, cond(got, 'Suspended')?.reason], ['False', 'JobResumed']);
  assert.ok(Date.parse(got.status.startTime) >= suspendedStart + 5000, 'startTime moved to the resume');
  assert.equal(got.status.active, 2);
});

test('a finished Job with ttlSecondsAfterFinished is deleted once the TTL has passed', async () => {
  const job = await seed(newJob({ ttlSecondsAfterFinished: 100 }));
  await sync(job);
  for (const p of await jobPods(job)) await finish(p, 'Succeeded');
  await sync(job);
  const key = `default/${job.metadata.name}`;
  const r = await ttl.reconcile(key);
  assert.ok(r?.requeueAfterMs !== undefined && r.requeueAfterMs > 95_000 && r.requeueAfterMs <= 100_000);
  kit.advance(101_000);
  await ttl.reconcile(key);
  const del = kit.actions.filter((a) => a.verb === 'delete' && a.resource === 'jobs');
  assert.deepEqual(del.map((a) => a.name), [key]);
});
