import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupResource } from '../api/scheme.js';
import { startInProcess, type InProcessCluster } from '../../test/support/in-process.js';
import { Informer, keyOf } from './informer.js';
import type { Obj } from './client.js';
import { newResourceExpired } from '../apimachinery/errors.js';

const configmaps = lookupResource('', 'v1', 'configmaps')!;
let cluster: InProcessCluster;
before(async () => { cluster = await startInProcess(); });
after(async () => { await cluster.close(); });

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { app: 'x' } }, data });

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('an informer lists, then follows creates, updates and deletes, calling handlers in order', async () => {
  const client = cluster.client();
  const ref = { type: configmaps, namespace: 'default' };
  await client.create(ref, cm('before'));
  const inf = new Informer(client, ref, { freeze: true });
  const seen: string[] = [];
  inf.addHandler({
    add: (o) => seen.push(`add ${o.metadata.name}`),
    update: (_o, n) => seen.push(`update ${n.metadata.name} ${n.data?.k ?? ''}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  const ctl = new AbortController();
  void inf.run(ctl.signal);
  await inf.waitForSync();
  assert.ok(inf.get('default/before'));
  await client.create(ref, cm('later'));
  const cur = await client.get(ref, 'later');
  await client.update(ref, { ...cur, data: { k: 'v' } });
  await client.delete(ref, 'before');
  await until(() => seen.length >= 4);
  ctl.abort();
  assert.deepEqual(seen, ['add before', 'add later', 'update later v', 'delete before']);
  assert.deepEqual(inf.list('default').map(keyOf).sort(), ['default/later']);
  assert.throws(() => { (inf.get('default/later') as Obj).data.k = 'mutated'; }, TypeError, 'cached objects are frozen in tests');
});

test('a watch from a compacted revision gets 410 and the informer relists and stays correct', async () => {
  const real = cluster.client();
  const ref = { type: configmaps, namespace: 'default' };
  let lists = 0;
  let watches = 0;
  // The first watch ends after one event (a dropped connection); before the second starts, more
  // writes happen and the store compacts past the informer's revision, so that watch gets 410.
  const client = Object.assign(Object.create(real), {
    list: (...a: Parameters<typeof real.list>) => { lists++; return real.list(...a); },
    async *watch(r: typeof ref, o: Parameters<typeof real.watch>[1], signal: AbortSignal) {
      watches++;
      if (watches === 2) {
        await real.create(ref, cm('missed-1'));
        await real.create(ref, cm('missed-2'));
        await cluster.store.compact(await cluster.store.currentRevision());
      }
      for await (const ev of real.watch(r, o, signal)) {
        yield ev;
        if (watches === 1) return;
      }
    },
  });
  const inf = new Informer(client, ref, { minBackoffMs: 10 });
  const ctl = new AbortController();
  void inf.run(ctl.signal);
  await inf.waitForSync();
  await real.create(ref, cm('first-event'));
  await until(() => inf.get('default/missed-2') !== undefined);
  await real.create(ref, cm('after-relist'));
  await until(() => inf.get('default/after-relist') !== undefined);
  ctl.abort();
  assert.equal(lists, 2, 'listed again after the 410');
  assert.deepEqual(inf.list('default').map(keyOf).sort(), (await real.list(ref)).items.map(keyOf).sort());
});

test('cached objects drop managedFields unless keepManagedFields; an update from the cache keeps the stored ones', async () => {
  const client = cluster.client();
  const ref = { type: configmaps, namespace: 'default' };
  await client.create(ref, cm('fields', { a: '1' }), { fieldManager: 'maker' });
  const trimmed = new Informer(client, ref);
  const kept = new Informer(client, ref, { keepManagedFields: true });
  const ctl = new AbortController();
  void trimmed.run(ctl.signal);
  void kept.run(ctl.signal);
  await Promise.all([trimmed.waitForSync(), kept.waitForSync()]);
  assert.equal(trimmed.get('default/fields')!.metadata.managedFields, undefined);
  assert.deepEqual(kept.get('default/fields')!.metadata.managedFields.map((m: Obj) => m.manager), ['maker']);
  const cached = trimmed.get('default/fields')!;
  await client.update(ref, { ...cached, data: { a: '2' } }, { fieldManager: 'changer' });
  await until(() => trimmed.get('default/fields')?.data?.a === '2');
  ctl.abort();
  const stored = await client.get(ref, 'fields');
  assert.deepEqual(stored.metadata.managedFields.map((m: Obj) => m.manager).sort(), ['changer', 'maker']);
  assert.equal(trimmed.get('default/fields')!.metadata.managedFields, undefined);
});

test('list resourceVersions as client-go: "0" first, the last one seen after a 410 watch, "" after a 410 list', async () => {
  const real = cluster.client();
  const ref = { type: configmaps, namespace: 'default' };
  const asked: { resourceVersion?: string; limit?: number; continue?: string }[] = [];
  let watches = 0;
  // The second watch is told 410; the relist at the informer's revision is told 410 as well.
  const client = Object.assign(Object.create(real), {
    list: (r: typeof ref, o: Parameters<typeof real.list>[1] = {}) => {
      asked.push({ resourceVersion: o.resourceVersion, limit: o.limit, continue: o.continue });
      if (asked.length === 2) return Promise.reject(newResourceExpired('too old resource version'));
      return real.list(r, { ...o, limit: 1 });
    },
    async *watch(r: typeof ref, o: Parameters<typeof real.watch>[1], signal: AbortSignal) {
      watches++;
      if (watches === 2) {
        yield { type: 'ERROR', object: newResourceExpired('too old resource version').status };
        return;
      }
      for await (const ev of real.watch(r, o, signal)) {
        yield ev;
        if (watches === 1) return;
      }
    },
  });
  await real.create(ref, cm('rv-a'));
  await real.create(ref, cm('rv-b'));
  const inf = new Informer(client, ref, { minBackoffMs: 10, pageSize: 7 });
  const ctl = new AbortController();
  void inf.run(ctl.signal);
  await inf.waitForSync();
  const synced = inf.lastSyncResourceVersion();
  await real.create(ref, cm('rv-c')); // ends the first watch
  await until(() => asked.length >= 3 && inf.get('default/rv-c') !== undefined);
  await real.create(ref, cm('rv-d'));
  await until(() => inf.get('default/rv-d') !== undefined);
  ctl.abort();
  // Pages after the first carry only the continue token (the fake pages by one item).
  const firsts = asked.filter((a) => !a.continue);
  assert.deepEqual(firsts[0], { resourceVersion: '0', limit: 7, continue: undefined });
  assert.equal(firsts[1].limit, undefined, 'a relist at a revision asks for no limit');
  assert.ok(Number(firsts[1].resourceVersion) > Number(synced), 'relists from the last revision the watch saw');
  assert.deepEqual(firsts[2], { resourceVersion: undefined, limit: 7, continue: undefined });
  assert.ok(asked.filter((a) => a.continue).every((a) => a.resourceVersion === undefined && a.limit === 7));
  assert.deepEqual(inf.list('default').map(keyOf).sort(), (await real.list(ref)).items.map(keyOf).sort());
});
