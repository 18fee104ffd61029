/**
 * @module e2e: one `tug server` and two `tug hollow-nodes` processes, driven by the real kubectl: a
 * 10-replica Deployment spreads over 3 nodes, a pod too big for any node shows FailedScheduling, and
 * SIGKILLing one node process makes its node NotReady, tainted, and its pods replaced elsewhere.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Obj } from '../../src/client/client.js';
import { waitFor } from '../support/wait-for.js';
import { ok, startTugServer, table, tugBin, type TugServer } from '../support/tug-server.js';

const GRACE_S = 3;
const TOLERATION_S = 2;

interface HollowProc { proc: ChildProcess; log(): string; kill(): Promise<void> }

let server: TugServer | undefined;
const hollows: HollowProc[] = [];
let stay: HollowProc;
let doomed: HollowProc;

/** Starts `tug hollow-nodes` and resolves once it says its nodes run; a failed start leaves no process. */
async function startHollow(prefix: string, count: number, firstIndex: number): Promise<HollowProc> {
  const proc = spawn(tugBin, ['hollow-nodes', '--count', String(count), '--prefix', prefix, '--first-index', String(firstIndex),
    '--kubeconfig', server!.kubeconfig, '--renew-interval', '1s'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => { log += d; });
  const h: HollowProc = {
    proc, log: () => log,
    kill: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    }),
  };
  hollows.push(h);
  await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`hollow-nodes exited with ${proc.exitCode}:\n${log}`);
    return log.includes('hollow nodes running');
  }, `hollow-nodes ${prefix} to start`, 30_000, 50);
  return h;
}

// A test process that dies without running its hooks must not leave node processes behind.
const killOnExit = () => { for (const h of hollows) if (h.proc.exitCode === null && h.proc.signalCode === null) h.proc.kill('SIGKILL'); };
process.once('exit', killOnExit);

before(async () => {
  server = await startTugServer({ extraArgs: ['--node-monitor-grace-period', `${GRACE_S}s`, '--node-monitor-period', '1s'] });
  stay = await startHollow('stay-', 2, 0);
  doomed = await startHollow('doomed-', 1, 2);
  await waitFor(() => {
    const rows = table(ok(server!.kubectl(['get', 'nodes']))).slice(1);
    return rows.length === 3 && rows.every((r) => r[1] === 'Ready');
  }, '3 Ready nodes', 20_000, 200);
});

after(async () => {
  for (const h of hollows) await h.kill();
  process.removeListener('exit', killOnExit);
  await server?.cleanup();
});

const k = (...args: string[]) => ok(server!.kubectl(args));
const json = (...args: string[]): Obj => JSON.parse(k(...args, '-o', 'json'));
const livePods = () => json('get', 'pods', '-l', 'app=web').items.filter((p: Obj) => !p.metadata.deletionTimestamp);

test('a 10-replica Deployment becomes available, spread over the 3 hollow nodes', async () => {
  k('create', 'deployment', 'web', '--image=busybox', '--replicas=10');
  const tolerations = ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']
    .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: TOLERATION_S }));
  k('patch', 'deployment', 'web', '-p', JSON.stringify({ spec: { template: { spec: { tolerations } } } }));
  const status = ok(await server!.kubectlAsync(['rollout', 'status', 'deploy/web', '--timeout=60s'], { timeoutMs: 70_000 }));
  assert.match(status, /deployment "web" successfully rolled out/);
  assert.equal(json('get', 'deploy', 'web').status.availableReplicas, 10);

  // The old ReplicaSet's pods are confirmed gone by their hollow nodes; wait for just the 10 new ones.
  const pods: Obj[] = await waitFor(() => { const all = json('get', 'pods', '-l', 'app=web').items; return all.length === 10 && all; },
    '10 web pods', 20_000, 200);
  const perNode = new Map<string, number>();
  for (const p of pods) {
    assert.equal(p.status.phase, 'Running');
    assert.deepEqual(p.spec.tolerations.filter((t: Obj) => t.tolerationSeconds === TOLERATION_S).map((t: Obj) => t.key).sort(),
      ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
    perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  }
  assert.deepEqual([...perNode.keys()].sort(), ['doomed-0', 'stay-0', 'stay-1'], `pods per node: ${JSON.stringify([...perNode])}`);
});

test('a pod asking for more cpu than any node has stays Pending with FailedScheduling', async () => {
  k('run', 'huge', '--image=busybox', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'huge', image: 'busybox',
    resources: { requests: { cpu: '100' } } }] } }));
  const describe = await waitFor(() => {
    const out = k('describe', 'pod', 'huge');
    return /FailedScheduling/.test(out) && out;
  }, 'a FailedScheduling event on pod huge', 20_000, 200);
  assert.match(describe, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\./);
  assert.match(describe, /Status:\s+Pending/);
  const pod = json('get', 'pod', 'huge');
  assert.equal(pod.spec.nodeName, undefined);
  assert.equal(pod.status.phase, 'Pending');
  const cond = pod.status.conditions.find((c: Obj) => c.type === 'PodScheduled');
  assert.deepEqual([cond.status, cond.reason], ['False', 'Unschedulable']);
  k('delete', 'pod', 'huge', '--wait=false');
});

test('SIGKILL of a node process: NotReady, unreachable NoExecute taint, its pods replaced on the other nodes', async () => {
  const onDoomed = livePods().filter((p: Obj) => p.spec.nodeName === 'doomed-0').map((p: Obj) => p.metadata.name);
  assert.ok(onDoomed.length > 0);
  const killedAt = Date.now();
  await doomed.kill();

  await waitFor(() => table(k('get', 'nodes')).some((r) => r[0] === 'doomed-0' && r[1] === 'NotReady'),
    'doomed-0 NotReady in kubectl get nodes', (GRACE_S + 10) * 1000, 200);
  const notReadyAfter = Date.now() - killedAt;
  await waitFor(() => json('get', 'node', 'doomed-0').spec.taints?.some((t: Obj) =>
    t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'), 'the unreachable:NoExecute taint on doomed-0', 10_000, 200);
  for (const name of ['stay-0', 'stay-1']) {
    assert.equal(json('get', 'node', name).spec.taints, undefined, `${name} has no taints`);
  }

  const budgetMs = (GRACE_S + TOLERATION_S + 15) * 1000;
  await waitFor(() => {
    const d = json('get', 'deploy', 'web');
    const live = livePods();
    return d.status.availableReplicas === 10 && live.length === 10
      && live.every((p: Obj) => p.spec.nodeName?.startsWith('stay-') && p.status.phase === 'Running');
  }, '10 available replicas, all Running on stay- nodes', Math.max(1000, budgetMs - (Date.now() - killedAt)), 200);
  const replacedAfter = Date.now() - killedAt;

  // The dead node cannot confirm: its pods stay Terminating (deleted, not gone), as upstream.
  const all = json('get', 'pods', '-l', 'app=web').items;
  const left = all.filter((p: Obj) => p.spec.nodeName === 'doomed-0');
  assert.deepEqual(left.map((p: Obj) => p.metadata.name).sort(), [...onDoomed].sort());
  for (const p of left) assert.ok(p.metadata.deletionTimestamp, `${p.metadata.name} on doomed-0 is being deleted`);
  const events = k('get', 'events', '--field-selector', 'reason=TaintManagerEviction', '-o', 'jsonpath={.items[*].involvedObject.name}');
  for (const name of onDoomed) assert.ok(events.split(' ').includes(name), `TaintManagerEviction event for ${name}: ${events}`);
  assert.ok(table(k('get', 'pods', '-l', 'app=web', '-o', 'wide')).some((r) => r[2] === 'Terminating'));
  console.log(`doomed-0 NotReady after ${notReadyAfter} ms, 10 replicas on stay- nodes after ${replacedAfter} ms`);
  assert.ok(stay.proc.exitCode === null, `stay- hollow nodes still run:\n${stay.log()}`);
});
