/**
 * @module @kubernetes/client-node (the second real client) against the real `tug server`: typed CRUD
 * of a ConfigMap and a Deployment, 409 Conflict on a stale replace, and an informer (ListWatch) that
 * keeps a correct cache across a server restart (resuming its watch, no relist) and across a 410
 * Gone after compaction (relisting).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiException, AppsV1Api, CoreV1Api, KubeConfig, ListWatch, Watch,
  type KubernetesObject, type V1ConfigMap, type V1Deployment,
} from '@kubernetes/client-node';
import { startTugServer, type TugServer } from '../support/tug-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries fn until it stops throwing; rethrows its last error after timeoutMs. */
async function eventually(fn: () => Promise<void> | void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { return await fn(); } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(100);
    }
  }
}

/** The Status body of a client-node ApiException (a parsed object or JSON text, depending on the operation's spec). */
function statusOf(e: unknown): { code: number; reason?: string; body: any } {
  assert.ok(e instanceof ApiException, `expected an ApiException, got ${String(e)}`);
  const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
  return { code: e.code, reason: body?.reason, body };
}

async function rejectsWith(p: Promise<unknown>, code: number, reason: string): Promise<any> {
  try { await p; } catch (e) {
    const s = statusOf(e);
    assert.equal(s.code, code, JSON.stringify(s.body));
    assert.equal(s.reason, reason, JSON.stringify(s.body));
    assert.equal(s.body?.kind, 'Status');
    return s.body;
  }
  assert.fail(`expected ${code} ${reason}, the call succeeded`);
}

async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try { return await fn(); } catch (e) {
      if (i >= attempts || !(e instanceof ApiException) || e.code !== 409) throw e;
    }
  }
}

/** A Watch that records the ERROR events the informer's watches receive (ListWatch handles them silently). */
class RecordingWatch extends Watch {
  readonly errorEvents: any[] = [];
  override watch(path: string, params: Record<string, string | number | boolean | undefined>,
    cb: (phase: string, apiObj: any, watchObj?: any) => void, done: (err: any) => void): Promise<AbortController> {
    return super.watch(path, params, (phase, obj, raw) => {
      if (phase === 'ERROR') this.errorEvents.push(obj);
      cb(phase, obj, raw);
    }, done);
  }
}

const NS = 'default';
const names = (items: readonly KubernetesObject[]) =>
  Object.fromEntries(items.map((o) => [o.metadata!.name!, o.metadata!.resourceVersion!]).sort(([a], [b]) => a.localeCompare(b)));

describe('client-node against tug server', { timeout: 60_000 }, () => {
  let s: TugServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  before(async () => {
    s = await startTugServer();
    kc = new KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });
  after(async () => { await s?.cleanup(); });

  it('creates, reads, lists, replaces and deletes a ConfigMap', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm1', labels: { t: 'crud' } }, data: { a: '1' } } });
    assert.equal(created.metadata?.name, 'cm1');
    assert.equal(created.metadata?.namespace, NS);
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date, 'creationTimestamp parses as a date');

    const read = await core.readNamespacedConfigMap({ name: 'cm1', namespace: NS });
    assert.deepEqual(read.data, { a: '1' });
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);

    const list = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 't=crud' });
    assert.deepEqual(list.items.map((c) => c.metadata?.name), ['cm1']);
    assert.ok(Number(list.metadata?.resourceVersion) >= Number(created.metadata?.resourceVersion));

    read.data = { a: '2', b: '3' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'cm1', namespace: NS, body: read });
    assert.deepEqual(replaced.data, { a: '2', b: '3' });
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion));

    await rejectsWith(core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm1' } } }), 409, 'AlreadyExists');

    await core.deleteNamespacedConfigMap({ name: 'cm1', namespace: NS });
    await rejectsWith(core.readNamespacedConfigMap({ name: 'cm1', namespace: NS }), 404, 'NotFound');
  });

  it('rejects a replace with a stale resourceVersion with 409 Conflict', async () => {
    const v1 = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cas' }, data: { n: '1' } } });
    const stale: V1ConfigMap = structuredClone(v1);
    await core.replaceNamespacedConfigMap({ name: 'cas', namespace: NS, body: { ...v1, data: { n: '2' } } });
    stale.data = { n: 'stale' };
    const status = await rejectsWith(core.replaceNamespacedConfigMap({ name: 'cas', namespace: NS, body: stale }), 409, 'Conflict');
    assert.equal(status.status, 'Failure');
    assert.match(status.message, /the object has been modified/);
    assert.deepEqual((await core.readNamespacedConfigMap({ name: 'cas', namespace: NS })).data, { n: '2' });
    await core.deleteNamespacedConfigMap({ name: 'cas', namespace: NS });
  });

  it('creates, reads, replaces, patches, lists and deletes a Deployment', async () => {
    const body: V1Deployment = {
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'local/busybox:1', command: ['sleep', 'infinity'] }] } },
      },
    };
    const created = await apps.createNamespacedDeployment({ namespace: NS, body });
    assert.equal(created.metadata?.generation, 1);
    assert.equal(created.spec?.replicas, 2);
    // Upstream defaults, as kube-apiserver sets them.
    assert.equal(created.spec?.strategy?.type, 'RollingUpdate');
    assert.equal(created.spec?.revisionHistoryLimit, 10);
    assert.equal(created.spec?.progressDeadlineSeconds, 600);
    assert.equal(created.spec?.template.spec?.containers[0].terminationMessagePath, '/dev/termination-log');

    // The deployment controller writes status meanwhile: read-modify-replace retries on 409, as client-go's RetryOnConflict.
    const replaced = await retryOnConflict(async () => {
      const read = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
      assert.equal(read.metadata?.uid, created.metadata?.uid);
      read.spec!.replicas = 3;
      return apps.replaceNamespacedDeployment({ name: 'web', namespace: NS, body: read });
    });
    assert.equal(replaced.spec?.replicas, 3);
    assert.equal(replaced.metadata?.generation, 2, 'a spec change bumps the generation');

    const patched = await apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }] });
    assert.deepEqual(patched.metadata?.labels, { app: 'web', tier: 'front' });
    assert.equal(patched.metadata?.generation, 2, 'a metadata change keeps the generation');

    const list = await apps.listNamespacedDeployment({ namespace: NS, labelSelector: 'tier=front' });
    assert.deepEqual(list.items.map((d) => d.metadata?.name), ['web']);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace: NS });
    await rejectsWith(apps.readNamespacedDeployment({ name: 'web', namespace: NS }), 404, 'NotFound');
  });

  it('keeps an informer cache correct across a server restart and across a 410 Gone', async () => {
    const watch = new RecordingWatch(kc);
    let lists = 0;
    const listFn = () => { lists++; return core.listNamespacedConfigMap({ namespace: NS }); };
    // makeInformer(kc, path, listFn) is exactly this ListWatch with a plain Watch; ours records ERROR events.
    const informer = new ListWatch<V1ConfigMap>(`/api/v1/namespaces/${NS}/configmaps`, watch, listFn, false);
    // client-node leaves reconnecting after a transport error to the caller; this one waits for `gate` (a client's backoff).
    let gate: Promise<void> = Promise.resolve();
    let closed = false;
    let transportErrors = 0;
    informer.on('error', () => {
      transportErrors++;
      void (async () => {
        await gate;
        await sleep(200);
        if (!closed) informer.start().catch(() => {});
      })();
    });
    const matchesFreshList = () => eventually(async () => {
      const fresh = await core.listNamespacedConfigMap({ namespace: NS });
      assert.deepEqual(names(informer.list(NS)), names(fresh.items));
    });
    const mk = (name: string) => core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name }, data: { v: name } } });
    try {
      await informer.start();
      for (const n of ['a1', 'a2', 'a3', 'a4', 'a5']) await mk(n);
      await matchesFreshList();
      assert.equal(lists, 1);

      // 1. Restart on the same data dir and port. The informer resumes its watch from its
      // resourceVersion, or — when the new server's watch cache starts after it, as upstream's
      // does — gets 410 and relists. Either way its cache must end up right.
      const port = s.port;
      await s.stop();
      await s.restart();
      assert.equal(s.port, port, 'the server came back on the same port');
      for (const n of ['b1', 'b2', 'b3']) await mk(n);
      await core.deleteNamespacedConfigMap({ name: 'a1', namespace: NS });
      await core.patchNamespacedConfigMap({ name: 'a2', namespace: NS, body: [{ op: 'replace', path: '/data/v', value: 'changed' }] });
      await matchesFreshList();
      assert.ok(transportErrors >= 1, 'the informer saw the server go away');
      assert.equal(lists, 1 + watch.errorEvents.length, 'a relist only after a 410');
      assert.ok(watch.errorEvents.every((e) => e.code === 410), JSON.stringify(watch.errorEvents));
      assert.equal(informer.get('a2', NS)?.data?.v, 'changed');
      const staleRV = informer.latestResourceVersion();

      // 2. 410: restart with compaction every second and keep the informer away (its backoff) while
      // objects change and compaction passes its resourceVersion; it must get 410 and relist.
      const listsBefore = lists;
      const errorsBefore = watch.errorEvents.length;
      let open!: () => void;
      gate = new Promise<void>((r) => { open = r; });
      await s.stop();
      await s.restart(['--compact-interval', '1s']);
      await core.deleteNamespacedConfigMap({ name: 'b1', namespace: NS });
      await core.deleteNamespacedConfigMap({ name: 'a3', namespace: NS });
      for (const n of ['c1', 'c2', 'c3']) await mk(n);
      await core.patchNamespacedConfigMap({ name: 'a4', namespace: NS, body: [{ op: 'replace', path: '/data/v', value: 'changed-too' }] });
      await eventually(() => rejectsWith(core.listNamespacedConfigMap({ namespace: NS, resourceVersion: staleRV, resourceVersionMatch: 'Exact' }), 410, 'Expired'));
      open();
      await matchesFreshList();
      assert.equal(watch.errorEvents.length, errorsBefore + 1, JSON.stringify(watch.errorEvents));
      const gone = watch.errorEvents.at(-1);
      assert.equal(gone.code, 410);
      assert.equal(gone.kind, 'Status');
      assert.equal(gone.reason, 'Expired');
      assert.equal(lists, listsBefore + 1, 'the informer relisted once after 410 Gone');
      assert.equal(informer.get('b1', NS), undefined);
      assert.equal(informer.get('a3', NS), undefined);
      assert.equal(informer.get('a4', NS)?.data?.v, 'changed-too');

      // And it keeps watching after the relist.
      await mk('d1');
      await core.deleteNamespacedConfigMap({ name: 'c1', namespace: NS });
      await matchesFreshList();
      assert.equal(lists, listsBefore + 1);
    } finally {
      closed = true;
      await informer.stop();
    }
  });
});
