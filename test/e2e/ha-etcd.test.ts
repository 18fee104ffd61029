/**
 * @module HA: two `tug server` processes over one real etcd serve one cluster. A write through one
 * is read and watched (kubectl get -w and a client-node watch) through the other, and the
 * compare-and-swap holds across them. Both accept the same admin kubeconfig.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiException, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { startTugServer, type TugServer } from '../support/tug-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('two tug servers over one etcd', { timeout: 60_000 }, () => {
  let etcd: EtcdServer | undefined;
  let a: TugServer | undefined;
  let b: TugServer | undefined;
  let scratch: string | undefined;
  const spawned: ChildProcess[] = [];
  let coreA: CoreV1Api;
  let coreB: CoreV1Api;
  let kcB: KubeConfig;
  let urlB: string;

  before(async () => {
    etcd = await startEtcd();
    a = await startTugServer({ datastoreEndpoint: `etcd://${etcd.endpoint}` });
    // Each server makes its own CA on first start. For now the second one shares the first one's
    // CA by having its ca.crt/ca.key copied into its data dir before it starts; a shared-CA
    // bootstrap through the datastore is a later issue. B issues its own serving and admin certs.
    const dirB = mkdtempSync(join(tmpdir(), 'tug-e2e-b-'));
    mkdirSync(join(dirB, 'tls'), { mode: 0o700 });
    for (const f of ['ca.crt', 'ca.key']) copyFileSync(join(a.dataDir, 'tls', f), join(dirB, 'tls', f));
    b = await startTugServer({ datastoreEndpoint: `etcd://${etcd.endpoint}`, dataDir: dirB });
    assert.notEqual(a.port, b.port);

    // A's admin kubeconfig, pointed at B.
    scratch = mkdtempSync(join(tmpdir(), 'tug-e2e-kc-'));
    urlB = `https://127.0.0.1:${b.port}`;
    const kubeconfigAtB = join(scratch, 'a-at-b.yaml');
    writeFileSync(kubeconfigAtB, readFileSync(a.kubeconfig, 'utf8').replace(`https://127.0.0.1:${a.port}`, urlB), { mode: 0o600 });
    const kcA = new KubeConfig();
    kcA.loadFromFile(a.kubeconfig);
    kcB = new KubeConfig();
    kcB.loadFromFile(kubeconfigAtB);
    assert.equal(kcB.getCurrentCluster()?.server, urlB);
    coreA = kcA.makeApiClient(CoreV1Api);
    coreB = kcB.makeApiClient(CoreV1Api);
  });

  after(async () => {
    for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await a?.cleanup();
    await b?.cleanup();
    await etcd?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('both servers accept either admin kubeconfig', () => {
    const viaB = a!.kubectl(['--server', urlB, 'get', 'namespaces', '-o', 'name']);
    assert.equal(viaB.code, 0, viaB.stderr);
    assert.match(viaB.stdout, /namespace\/default/);
    const viaA = b!.kubectl(['--server', `https://127.0.0.1:${a!.port}`, 'get', 'namespaces', '-o', 'name']);
    assert.equal(viaA.code, 0, viaA.stderr);
    assert.match(viaA.stdout, /namespace\/default/);
  });

  it('reads on B what was written on A, and the other way', async () => {
    const created = await coreA.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'written-on-a' }, data: { k: 'v' } } });
    const read = await coreB.readNamespacedConfigMap({ name: 'written-on-a', namespace: 'default' });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.deepEqual(read.data, { k: 'v' });

    const onB = await coreB.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'written-on-b' } } });
    const list = await coreA.listNamespacedConfigMap({ namespace: 'default' });
    assert.ok(list.items.some((c) => c.metadata?.uid === onB.metadata?.uid));
    assert.ok(Number(list.metadata?.resourceVersion) >= Number(onB.metadata?.resourceVersion));
  });

  it('holds compare-and-swap across the two servers', async () => {
    const v1 = await coreA.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cas' }, data: { n: '0' } } });
    await coreA.replaceNamespacedConfigMap({ name: 'cas', namespace: 'default', body: { ...v1, data: { n: 'a' } } });
    try {
      await coreB.replaceNamespacedConfigMap({ name: 'cas', namespace: 'default', body: { ...v1, data: { n: 'b' } } });
      assert.fail('a stale replace on B succeeded');
    } catch (e) {
      assert.ok(e instanceof ApiException, String(e));
      assert.equal(e.code, 409);
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      assert.equal(body.reason, 'Conflict');
    }
    assert.deepEqual((await coreB.readNamespacedConfigMap({ name: 'cas', namespace: 'default' })).data, { n: 'a' });
  });

  it('kubectl get -w on B sees creates, updates and deletes done on A', async () => {
    await coreB.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'seed', labels: { w: 'kubectl' } } } });
    const w = a!.kubectlSpawn(['--server', urlB, 'get', 'configmaps', '-n', 'default', '-l', 'w=kubectl', '-w', '--output-watch-events']);
    spawned.push(w);
    let out = '';
    let err = '';
    w.stdout!.on('data', (d) => { out += d; });
    w.stderr!.on('data', (d) => { err += d; });
    const saw = (re: RegExp) => waitFor(`${re} in kubectl -w output:\n${out}\n${err}`, () => re.test(out));
    await saw(/ADDED\s+seed\b/);
    await coreA.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-a', labels: { w: 'kubectl' } } } });
    await saw(/ADDED\s+from-a\b/);
    await coreA.patchNamespacedConfigMap({ name: 'from-a', namespace: 'default', body: [{ op: 'add', path: '/data', value: { x: '1' } }] });
    await saw(/MODIFIED\s+from-a\s+1\b/);
    await coreA.deleteNamespacedConfigMap({ name: 'from-a', namespace: 'default' });
    await saw(/DELETED\s+from-a\b/);
    w.kill('SIGTERM');
  });

  it('a client-node watch on B sees a create done on A', async () => {
    const start = await coreB.listNamespacedConfigMap({ namespace: 'default' });
    const events: { type: string; obj: any }[] = [];
    let ended: unknown = 'open';
    const ctl = await new Watch(kcB).watch('/api/v1/namespaces/default/configmaps', { resourceVersion: start.metadata!.resourceVersion },
      (type, obj) => { events.push({ type, obj }); }, (e) => { ended = e; });
    try {
      const created = await coreA.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
      await waitFor('ADDED watched', () => events.some((e) => e.type === 'ADDED' && e.obj.metadata.name === 'watched'));
      const ev = events.find((e) => e.obj.metadata.name === 'watched')!;
      assert.equal(ev.obj.metadata.uid, created.metadata?.uid);
      assert.equal(ev.obj.metadata.resourceVersion, created.metadata?.resourceVersion);
      // Only events after the list's resourceVersion: nothing listed before comes again.
      assert.deepEqual(events.map((e) => `${e.type} ${e.obj.metadata.name}`), ['ADDED watched']);
      assert.equal(ended, 'open');
    } finally {
      ctl.abort();
    }
  });
});
