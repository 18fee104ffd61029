/**
 * @module Deployment and ReplicaSet controllers on the in-process cluster, with a fake kubelet
 * standing in for nodes: scale-up, rolling updates within maxSurge/maxUnavailable as a watch sees
 * them, rollback, pause/resume, scale to 0 and back, Recreate, and tugboat's auto-rollback.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Obj } from '../../src/client/client.js';
import { sleep } from '../../src/client/informer.js';
import { ref } from '../../src/client/kind-ref.js';
import { DeploymentController } from '../../src/controllers/deployment/deployment-controller.js';
import { ReplicaSetController } from '../../src/controllers/replicaset/replica-set-controller.js';
import { runFakeKubelet, startControllerTestKit, type ControllerTestKit } from '../../src/controllers/controller-utils/testkit.js';

let kit: ControllerTestKit;
const stop = new AbortController();
const errors: string[] = [];
const deployments = ref('Deployment', 'default');
const replicaSets = ref('ReplicaSet', 'default');
const pods = ref('Pod', 'default');

before(async () => {
  kit = await startControllerTestKit();
  const onError = (key: string, e: unknown) => errors.push(`${key}: ${(e as Error).message}`);
  const rsc = new ReplicaSetController(kit.ctx, { onError });
  const dc = new DeploymentController(kit.ctx, { onError });
  rsc.setup();
  dc.setup();
  await kit.start();
  void rsc.run(stop.signal);
  void dc.run(stop.signal);
  // Pods whose image is "broken" run but never become ready.
  void runFakeKubelet(kit.admin, 'default', stop.signal, { neverReady: (p) => p.spec.containers[0].image === 'broken' });
});
after(async () => { stop.abort(); await kit.close(); });

function deployment(name: string, replicas: number, spec: Obj = {}): Obj {
  return {
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'app:v1' }] } }, ...spec },
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; controller errors: ${errors.slice(-5).join(' | ')}`);
    await sleep(50);
  }
}

/** Waits as `kubectl rollout status` does: observed, all updated, no old replicas, all available. */
function rolledOut(name: string, timeoutMs?: number): Promise<Obj> {
  return waitFor(`${name} rolled out`, async () => {
    const d = await kit.admin.get(deployments, name);
    const s = d.status ?? {};
    const want = d.spec.replicas;
    return s.observedGeneration >= d.metadata.generation && (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want &&
      (s.availableReplicas ?? 0) === want && d;
  }, timeoutMs);
}

const cond = (d: Obj, type: string) => d.status?.conditions?.find((c: Obj) => c.type === type);
const ownedRSs = async (name: string) => (await kit.admin.list(replicaSets, { labelSelector: `app=${name}` })).items;
const activePods = async (name: string) => (await kit.admin.list(pods, { labelSelector: `app=${name}` })).items
  .filter((p) => !p.metadata.deletionTimestamp);

/** Watches the app's pods and records every moment's count of live pods and of ready ones. */
async function watchPods(app: string): Promise<{ samples: { live: number; ready: number; images: Set<string> }[]; stop(): void }> {
  const ctl = new AbortController();
  const samples: { live: number; ready: number; images: Set<string> }[] = [];
  // Start from a list, so that every sample is a whole moment (not a partly delivered initial state).
  const list = await kit.admin.list(pods, { labelSelector: `app=${app}` });
  const state = new Map<string, Obj>(list.items.map((p) => [p.metadata.name, p]));
  void (async () => {
    for await (const ev of kit.admin.watch(pods, { labelSelector: `app=${app}`, resourceVersion: list.resourceVersion }, ctl.signal)) {
      if (ev.type === 'DELETED') state.delete(ev.object.metadata.name);
      else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') state.set(ev.object.metadata.name, ev.object);
      else continue;
      const live = [...state.values()].filter((p) => !p.metadata.deletionTimestamp);
      samples.push({ live: live.length,
        ready: live.filter((p) => p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True')).length,
        images: new Set(live.map((p) => p.spec.containers[0].image)) });
    }
  })();
  return { samples, stop: () => ctl.abort() };
}

async function setImage(name: string, image: string): Promise<void> {
  await kit.admin.patch(deployments, name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } });
}

test('a Deployment of 10 replicas reaches 10 available, with web-<hash> and revision 1', async () => {
  await kit.admin.create(deployments, deployment('web', 10));
  const d = await rolledOut('web');
  assert.equal(d.status.readyReplicas, 10);
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.deepEqual([cond(d, 'Available').status, cond(d, 'Available').reason], ['True', 'MinimumReplicasAvailable']);
  assert.deepEqual([cond(d, 'Progressing').status, cond(d, 'Progressing').reason], ['True', 'NewReplicaSetAvailable']);
  const [rs] = await ownedRSs('web');
  const hash = rs!.metadata.labels['pod-template-hash'];
  assert.equal(rs!.metadata.name, `web-${hash}`);
  assert.equal(rs!.spec.selector.matchLabels['pod-template-hash'], hash);
  assert.equal(rs!.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.equal(rs!.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '10');
  assert.equal(rs!.metadata.annotations['deployment.kubernetes.io/max-replicas'], '13');
  assert.equal(cond(d, 'Progressing').message, `ReplicaSet "${rs!.metadata.name}" has successfully progressed.`);
  const scaled = kit.events.find((e) => e.reason === 'ScalingReplicaSet' && e.object === 'Deployment/default/web');
  assert.equal(scaled?.message, `Scaled up replica set ${rs!.metadata.name} from 0 to 10`);
});

test('an image change rolls out with maxSurge 3 and maxUnavailable 2 respected at every watched moment', async () => {
  const w = await watchPods('web');
  await setImage('web', 'app:v2');
  const d = await rolledOut('web');
  await sleep(200);
  w.stop();
  assert.ok(w.samples.length > 20, `saw the rollout (${w.samples.length} samples)`);
  const maxLive = Math.max(...w.samples.map((s) => s.live));
  const minReady = Math.min(...w.samples.map((s) => s.ready));
  assert.ok(maxLive <= 13, `at most 10 + 3 live pods (saw ${maxLive})`);
  assert.ok(minReady >= 8, `at least 10 − 2 ready pods (saw ${minReady})`);
  assert.ok(w.samples.some((s) => s.images.size === 2), 'old and new pods ran side by side');
  assert.deepEqual(w.samples.at(-1)!.images, new Set(['app:v2']));
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
  const rss = await ownedRSs('web');
  assert.equal(rss.length, 2);
  assert.deepEqual(rss.map((rs) => rs.spec.replicas).sort(), [0, 10]);
});

test('rolling back (as kubectl rollout undo patches the template) reuses the old ReplicaSet and bumps its revision', async () => {
  const rss = await ownedRSs('web');
  const old = rss.find((rs) => rs.metadata.annotations['deployment.kubernetes.io/revision'] === '1')!;
  const template = structuredClone(old.spec.template);
  delete template.metadata.labels['pod-template-hash'];
  await kit.admin.patch(deployments, 'web', 'json', [{ op: 'replace', path: '/spec/template', value: template }]);
  const d = await rolledOut('web');
  assert.equal(d.spec.template.spec.containers[0].image, 'app:v1');
  const after = await kit.admin.get(replicaSets, old.metadata.name);
  assert.equal(after.spec.replicas, 10);
  assert.equal(after.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  assert.equal(after.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  assert.equal((await ownedRSs('web')).length, 2, 'no third ReplicaSet');
});

test('paused: no rollout, but scaling still applies; resume rolls out', async () => {
  await kit.admin.patch(deployments, 'web', 'merge', { spec: { paused: true } });
  await waitFor('paused condition', async () => cond(await kit.admin.get(deployments, 'web'), 'Progressing')?.reason === 'DeploymentPaused');
  await setImage('web', 'app:v3');
  await kit.admin.patch(deployments, 'web', 'merge', { spec: { replicas: 12 } });
  await waitFor('12 pods while paused', async () => (await activePods('web')).length === 12);
  await sleep(300);
  const live = await activePods('web');
  assert.ok(live.every((p) => p.spec.containers[0].image === 'app:v1'), 'no v3 pod while paused');
  assert.equal((await ownedRSs('web')).length, 2, 'no new ReplicaSet while paused');
  await kit.admin.patch(deployments, 'web', 'merge', { spec: { paused: false } });
  const d = await rolledOut('web');
  assert.equal(d.status.updatedReplicas, 12);
  assert.ok((await activePods('web')).every((p) => p.spec.containers[0].image === 'app:v3'));
  assert.ok(kit.events.some((e) => e.object === 'Deployment/default/web' && /^Scaled up replica set web-\w+ from 10 to 12$/.test(e.message)));
});

test('scale to 0 and back', async () => {
  await kit.admin.patch(deployments, 'web', 'merge', { spec: { replicas: 0 } });
  await waitFor('no pods', async () => (await activePods('web')).length === 0);
  let d = await rolledOut('web');
  assert.equal(d.status.replicas ?? 0, 0);
  await kit.admin.patch(deployments, 'web', 'merge', { spec: { replicas: 4 } });
  d = await rolledOut('web');
  assert.equal(d.status.availableReplicas, 4);
});

test('Recreate never runs old and new pods at once', async () => {
  await kit.admin.create(deployments, deployment('batch', 4, { strategy: { type: 'Recreate' } }));
  await rolledOut('batch');
  const w = await watchPods('batch');
  await setImage('batch', 'app:v2');
  await rolledOut('batch');
  await sleep(200);
  w.stop();
  assert.ok(w.samples.every((s) => s.images.size <= 1), 'never two images at once');
  assert.ok(w.samples.some((s) => s.live === 0), 'went through zero pods');
  assert.deepEqual(w.samples.at(-1)!.images, new Set(['app:v2']));
});

test('auto-rollback: a rollout that never becomes ready is rolled back after progressDeadlineSeconds', async () => {
  await kit.admin.create(deployments, { ...deployment('guarded', 3, { progressDeadlineSeconds: 2 }),
    metadata: { name: 'guarded', annotations: { 'tugboat.dev/auto-rollback': 'true' } } });
  await rolledOut('guarded');
  await setImage('guarded', 'broken');
  const event = await waitFor('AutoRollback event', async () =>
    kit.events.find((e) => e.reason === 'AutoRollback' && e.object === 'Deployment/default/guarded'), 20_000);
  assert.equal(event.type, 'Warning');
  assert.match(event.message, /^revision 2 \(replica set guarded-\w+\) exceeded its progress deadline; rolled back to revision 1 \(replica set guarded-\w+\)$/);
  const d = await rolledOut('guarded');
  assert.equal(d.spec.template.spec.containers[0].image, 'app:v1');
  assert.ok((await activePods('guarded')).every((p) => p.spec.containers[0].image === 'app:v1'));
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3');
});

test('without the annotation a stuck rollout reports ProgressDeadlineExceeded and stays', async () => {
  await kit.admin.create(deployments, deployment('stuck', 2, { progressDeadlineSeconds: 1 }));
  await rolledOut('stuck');
  await setImage('stuck', 'broken');
  const d = await waitFor('timeout', async () => {
    const cur = await kit.admin.get(deployments, 'stuck');
    return cond(cur, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && cur;
  }, 20_000);
  assert.equal(cond(d, 'Progressing').status, 'False');
  assert.match(cond(d, 'Progressing').message, /^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
  assert.equal(d.spec.template.spec.containers[0].image, 'broken');
  assert.ok(!kit.events.some((e) => e.reason === 'AutoRollback' && e.object === 'Deployment/default/stuck'));
});
