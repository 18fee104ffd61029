/**
 * @module e2e: `tug server` (controllers and scheduler) with hollow nodes running the pods, driven by
 * the real kubectl: a Job completes, a Job from a CronJob, a StatefulSet rolls out in order, a DaemonSet per node.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Obj } from '../../src/client/client.js';
import { RestClient } from '../../src/client/rest-client.js';
import { startHollowNodes, type HollowNodes } from '../../src/kubelet/hollow/hollow-nodes.js';
import { ok, startTugServer, type TugServer } from '../support/tug-server.js';

let server: TugServer;
let client: RestClient;
let hollow: HollowNodes;

before(async () => {
  server = await startTugServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig, 'e2e-hollow/1.0');
  hollow = await startHollowNodes({ client, count: 2, prefix: 'wl-', renewIntervalMs: 1000 });
});
after(async () => {
  await hollow?.stop();
  client?.close();
  await server?.cleanup();
});

const json = (args: string[]): Obj => JSON.parse(ok(server.kubectl([...args, '-o', 'json'])));

test('a Job runs its pods to completion: kubectl wait --for=condition=complete', async () => {
  ok(server.kubectl(['apply', '-f', '-'], { input: `apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  completions: 2
  parallelism: 1
  template:
    metadata:
      annotations: {hollow.tugboat.dev/exit-after-seconds: "1"}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["true"]}]
` }));
  ok(await server.kubectlAsync(['wait', '--for=condition=complete', 'job/pi', '--timeout=60s'], { timeoutMs: 70_000 }));
  const job = json(['get', 'job', 'pi']);
  assert.equal(job.status.succeeded, 2);
  assert.ok(job.status.completionTime);
  assert.deepEqual(job.status.conditions.map((c: Obj) => c.type), ['SuccessCriteriaMet', 'Complete']);
  const pods = json(['get', 'pods', '-l', 'job-name=pi']).items;
  assert.equal(pods.length, 2);
  for (const p of pods) assert.equal(p.metadata.finalizers, undefined, 'tracking finalizers removed');
});

test('kubectl create job --from=cronjob makes a Job owned by the CronJob from its jobTemplate', async () => {
  ok(server.kubectl(['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *', '--', 'true']));
  ok(server.kubectl(['create', 'job', '--from=cronjob/nightly', 'nightly-manual']));
  const job = json(['get', 'job', 'nightly-manual']);
  assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
  assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  ok(await server.kubectlAsync(['wait', '--for=jsonpath={.status.active}=1', 'job/nightly-manual', '--timeout=30s'], { timeoutMs: 40_000 }));
});

test('a StatefulSet of 3 comes up in order: kubectl rollout status', async () => {
  ok(server.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx}]
` }));
  const r = ok(await server.kubectlAsync(['rollout', 'status', 'sts/web', '--timeout=60s'], { timeoutMs: 70_000 }));
  // The default partition (0) makes kubectl report a partitioned roll-out, as against Kubernetes.
  assert.match(r, /partitioned roll out complete: 3 new pods have been updated/);
  const pods = json(['get', 'pods', '-l', 'app=web']).items.sort((a: Obj, b: Obj) => a.metadata.name.localeCompare(b.metadata.name));
  assert.deepEqual(pods.map((p: Obj) => [p.metadata.name, p.spec.hostname, p.spec.subdomain, p.status.phase]),
    [['web-0', 'web-0', 'web', 'Running'], ['web-1', 'web-1', 'web', 'Running'], ['web-2', 'web-2', 'web', 'Running']]);
  // OrderedReady: each pod was created only after the one before it was ready.
  const readyAt = (p: Obj) => Date.parse(p.status.conditions.find((c: Obj) => c.type === 'Ready').lastTransitionTime);
  for (let i = 1; i < 3; i++) assert.ok(Date.parse(pods[i].metadata.creationTimestamp) >= readyAt(pods[i - 1]));
});

test('a DaemonSet runs one pod on each hollow node: kubectl rollout status', async () => {
  ok(server.kubectl(['apply', '-f', '-'], { input: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: c, image: busybox}]
` }));
  const r = ok(await server.kubectlAsync(['rollout', 'status', 'ds/agent', '--timeout=60s'], { timeoutMs: 70_000 }));
  assert.match(r, /daemon set "agent" successfully rolled out/);
  const pods = json(['get', 'pods', '-l', 'app=agent']).items;
  assert.deepEqual(pods.map((p: Obj) => p.spec.nodeName).sort(), ['wl-0', 'wl-1']);
  const ds = json(['get', 'ds', 'agent']);
  assert.equal(ds.status.desiredNumberScheduled, 2);
  assert.equal(ds.status.numberAvailable, 2);
});
