/**
 * @module e2e HA: two `tug server` processes on one real etcd elect one leader on the Lease
 * kube-system/tug-controller-manager; only it reconciles (one ReplicaSet, never two), and when it
 * is SIGKILLed the other takes over within the lease duration and reconciles new Deployments.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Obj } from '../../src/client/client.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { ok, startTugServer, type TugServer } from '../support/tug-server.js';
import { waitFor } from '../support/wait-for.js';

const LEASE_S = 4;
const RETRY_S = 1;
const electionArgs = ['--leader-elect-lease-duration', String(LEASE_S), '--leader-elect-renew-deadline', '3',
  '--leader-elect-retry-period', String(RETRY_S)];

let etcd: EtcdServer | undefined;
let a: TugServer | undefined;
let b: TugServer | undefined;
let dirB: string | undefined;
let leader: TugServer;
let follower: TugServer;

/** The server's pino lines whose msg starts with `prefix`. */
const logLines = (s: TugServer, prefix: string): Obj[] => s.stderr().split('\n').filter((l) => l.startsWith('{'))
  .map((l) => { try { return JSON.parse(l); } catch { return {}; } }).filter((l) => typeof l.msg === 'string' && l.msg.startsWith(prefix));

const json = (s: TugServer, ...args: string[]): Obj => JSON.parse(ok(s.kubectl([...args, '-o', 'json'])));
const holder = (s: TugServer): string => ok(s.kubectl(['get', 'lease', '-n', 'kube-system', 'tug-controller-manager',
  '-o', 'jsonpath={.spec.holderIdentity}']));
const replicaSetsOf = (s: TugServer, deployment: string): Obj[] => json(s, 'get', 'rs').items
  .filter((rs: Obj) => rs.metadata.ownerReferences?.some((o: Obj) => o.kind === 'Deployment' && o.name === deployment));

before(async () => {
  etcd = await startEtcd();
  a = await startTugServer({ datastoreEndpoint: `etcd://${etcd.endpoint}`, extraArgs: electionArgs });
  // The second server shares the first one's CA, copied into its data dir before it starts (as ha-etcd.test.ts).
  dirB = mkdtempSync(join(tmpdir(), 'tug-e2e-b-'));
  mkdirSync(join(dirB, 'tls'), { mode: 0o700 });
  for (const f of ['ca.crt', 'ca.key']) copyFileSync(join(a.dataDir, 'tls', f), join(dirB, 'tls', f));
  b = await startTugServer({ datastoreEndpoint: `etcd://${etcd.endpoint}`, dataDir: dirB, extraArgs: electionArgs });
});

after(async () => {
  await a?.cleanup();
  await b?.cleanup();
  if (dirB) rmSync(dirB, { recursive: true, force: true });
  await etcd?.stop();
});

test('exactly one server holds the lease, and it is the one that logged "became leader"', async () => {
  const id = await waitFor(() => holder(a!) || undefined, 'a holder of kube-system/tug-controller-manager', 15_000, 200);
  assert.match(id, /^.+_[0-9a-f]{8}$/, 'hostname_randomsuffix');
  assert.equal(holder(b!), id, 'both servers read the same lease');
  const claims = (s: TugServer) => logLines(s, 'became leader').map((l) => l.identity);
  await waitFor(() => claims(a!).includes(id) || claims(b!).includes(id), `a "became leader" log line for ${id}`, 10_000, 100);
  [leader, follower] = claims(a!).includes(id) ? [a!, b!] : [b!, a!];
  assert.deepEqual(claims(leader), [id]);
  assert.deepEqual(claims(follower), [], `the follower never led:\n${follower.stderr()}`);
  // The follower saw the leader (client-go's OnNewLeader).
  await waitFor(() => logLines(follower, 'another server leads').some((l) => l.leader === id), 'the follower naming the leader', 5_000, 100);
});

test('a Deployment created through the follower is reconciled once, by the leader', async () => {
  ok(follower.kubectl(['create', 'deployment', 'first', '--image=busybox', '--replicas=3']));
  await waitFor(() => replicaSetsOf(follower, 'first').length > 0, 'a ReplicaSet of deployment first', 15_000, 200);
  await waitFor(() => json(follower, 'get', 'pods', '-l', 'app=first').items.length === 3, '3 pods of deployment first', 15_000, 200);
  // Two reconcilers would race: a second ReplicaSet, or more pods than replicas. Give them time to show.
  await new Promise((r) => setTimeout(r, 2 * RETRY_S * 1000));
  const rss = replicaSetsOf(leader, 'first');
  assert.equal(rss.length, 1, `ReplicaSets: ${rss.map((r) => r.metadata.name)}`);
  assert.equal(rss[0].spec.replicas, 3);
  assert.equal(json(leader, 'get', 'pods', '-l', 'app=first').items.length, 3);
  // Only the leader's controllers record events: their source host is one, and the follower never started any.
  assert.deepEqual(logLines(follower, 'became leader'), []);
  const scaling = json(leader, 'get', 'events', '--field-selector', 'reason=ScalingReplicaSet,involvedObject.name=first').items;
  assert.equal(scaling.length, 1, JSON.stringify(scaling.map((e: Obj) => e.message)));
});

test('SIGKILL of the leader: the other server becomes leader within the lease duration and reconciles', async () => {
  const oldId = holder(follower);
  const killedAt = Date.now();
  await leader.kill();
  const line = await waitFor(() => logLines(follower, 'became leader')[0], 'the follower to log "became leader"', 15_000, 50);
  const tookMs = line.time - killedAt;
  console.log(`follower became leader ${tookMs} ms after the leader's SIGKILL`);
  // client-go's timing: the follower counts the lease from when it last saw it change (up to one of its
  // jittered retries, ≤ 2.2 × retryPeriod, after the kill) and notices expiry one more retry later.
  // So the takeover lands in (lease − renew gap, lease + 2 × 2.2 × retry]; a bound of lease + 3 s
  // would miss ~1% of runs (simulated). Never early: not before the dead leader's last renewal expired.
  assert.ok(tookMs <= (LEASE_S + 2 * 2.2 * RETRY_S) * 1000 + 500, `took ${tookMs} ms`);
  assert.ok(tookMs >= (LEASE_S - 2 * RETRY_S) * 1000, `took over early, ${tookMs} ms after the kill`);
  const newId = holder(follower);
  assert.notEqual(newId, oldId);
  assert.equal(newId, line.identity);

  ok(follower.kubectl(['create', 'deployment', 'second', '--image=busybox', '--replicas=2']));
  await waitFor(() => replicaSetsOf(follower, 'second').length === 1, 'a ReplicaSet of deployment second', 15_000, 200);
  await waitFor(() => json(follower, 'get', 'pods', '-l', 'app=second').items.length === 2, '2 pods of deployment second', 15_000, 200);
  // The new leader's fresh controllers leave the first Deployment as it was.
  assert.equal(replicaSetsOf(follower, 'first').length, 1);
  assert.equal(json(follower, 'get', 'pods', '-l', 'app=first').items.length, 3);
});
