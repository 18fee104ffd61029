/**
 * The real kubectl's rollout commands against `tug server`'s deployment and replicaset controllers:
 * rollout status, history, undo (with --to-revision), pause/resume, restart, scale, get rs and
 * describe. A fake kubelet over HTTPS binds the pods and marks them Running+Ready.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sleep } from '../../src/client/informer.js';
import { RestClient } from '../../src/client/rest-client.js';
import { runFakeKubelet } from '../../src/controllers/controller-utils/testkit.js';
import { ok, startTugServer, table, type TugServer } from '../support/tug-server.js';

const NS = 'e2e-rollout';
let server: TugServer;
const stop = new AbortController();

const manifest = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: "${image}"}]
`;

before(async () => {
  server = await startTugServer();
  ok(server.kubectl(['create', 'namespace', NS]));
  const client = await RestClient.fromKubeconfig(server.kubeconfig, 'fake-kubelet/1.0');
  void runFakeKubelet(client, NS, stop.signal);
});
after(async () => { stop.abort(); await server?.cleanup(); });

const k = (...args: string[]) => server.kubectl(['-n', NS, ...args], { timeoutMs: 90_000 });
const image = () => ok(k('get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'));
async function rolloutStatus(): Promise<string> {
  const r = await server.kubectlAsync(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 90_000 });
  return ok(r);
}

test('rollout status waits for a new Deployment to be available', async () => {
  ok(server.kubectl(['apply', '-f', '-'], { input: manifest('app:v1') }));
  assert.match(await rolloutStatus(), /deployment "web" successfully rolled out/);
  const rs = table(ok(k('get', 'rs')));
  assert.deepEqual(rs[0]!.slice(0, 4), ['NAME', 'DESIRED', 'CURRENT', 'READY']);
  assert.match(rs[1]![0]!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.deepEqual(rs[1]!.slice(1, 4), ['4', '4', '4']);
});

test('set image, rollout history, undo and undo --to-revision', async () => {
  ok(k('set', 'image', 'deployment/web', 'c=app:v2'));
  await rolloutStatus();
  const history = ok(k('rollout', 'history', 'deployment/web'));
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  assert.match(ok(k('rollout', 'undo', 'deployment/web')), /deployment.apps\/web rolled back/);
  await rolloutStatus();
  assert.equal(image(), 'app:v1');
  assert.match(ok(k('rollout', 'history', 'deployment/web')), /\n2\s+<none>\n3\s+<none>/);
  ok(k('rollout', 'undo', 'deployment/web', '--to-revision=2'));
  await rolloutStatus();
  assert.equal(image(), 'app:v2');
  assert.equal(table(ok(k('get', 'rs'))).length - 1, 2, 'rollbacks reuse ReplicaSets');
});

test('pause stops rollouts, resume continues; restart makes a new ReplicaSet', async () => {
  ok(k('rollout', 'pause', 'deployment/web'));
  ok(k('set', 'image', 'deployment/web', 'c=app:v3'));
  await sleep(1000);
  assert.equal(table(ok(k('get', 'rs'))).length - 1, 2, 'no new ReplicaSet while paused');
  assert.match(ok(k('get', 'deploy', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}')), /DeploymentPaused/);
  ok(k('rollout', 'resume', 'deployment/web'));
  await rolloutStatus();
  assert.equal(table(ok(k('get', 'rs'))).length - 1, 3);
  ok(k('rollout', 'restart', 'deployment/web'));
  await rolloutStatus();
  assert.equal(table(ok(k('get', 'rs'))).length - 1, 4);
  assert.match(ok(k('get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations}')), /kubectl.kubernetes.io\/restartedAt/);
});

test('scale to 0 and back; describe shows the ReplicaSets and ScalingReplicaSet events', async () => {
  ok(k('scale', 'deployment/web', '--replicas=0'));
  await rolloutStatus();
  ok(k('scale', 'deployment/web', '--replicas=3'));
  await rolloutStatus();
  const d = ok(k('describe', 'deploy', 'web'));
  assert.match(d, /Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
  assert.match(d, /NewReplicaSet:\s+web-\w+ \(3\/3 replicas created\)/);
  assert.match(d, /Available\s+True\s+MinimumReplicasAvailable/);
  assert.match(d, /Progressing\s+True\s+NewReplicaSetAvailable/);
  // The first rollout's event (later ones may be past the recorder's per-object burst of 25, as upstream's).
  assert.match(d, /Normal\s+ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set web-\w+ from 0 to 4/);
});
