/**
 * @module Writes that start from the watch cache's copy (upstream's cached origState): a copy
 * that is already stale must never decide the outcome — conflicts, no-ops and resourceVersion
 * checks are settled on a fresh read of the store.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lookupResource } from '../../api/scheme.js';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';
import { builtinAdmission } from '../admission/index.js';
import type { KeyValue, Store } from '../../storage/store.js';
import { ResourceStorage } from './resource-storage.js';

const t = lookupResource('', 'v1', 'configmaps')!;
const cms = { type: t, namespace: 'default' };
let cluster: InProcessCluster;
before(async () => { cluster = await startInProcess(); });
after(async () => { await cluster.close(); });

/** A ResourceStorage whose store's cache still holds the version of `name` as it is now. */
async function storageWithStaleCopyOf(name: string): Promise<ResourceStorage> {
  const plain = new ResourceStorage(t, cluster.store, builtinAdmission);
  const stale: KeyValue = (await cluster.store.get(plain.key('default', name))).kv!;
  const store = new Proxy(cluster.store, {
    get(target, p) {
      if (p === 'cached') return () => stale;
      const v = Reflect.get(target, p);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as Store;
  return new ResourceStorage(t, store, builtinAdmission);
}

test('an update from a stale cached copy is applied to the latest version', async () => {
  const c = cluster.client();
  await c.create(cms, { metadata: { name: 'a' }, data: { v: '1' } });
  const s = await storageWithStaleCopyOf('a');
  await c.patch(cms, 'a', 'merge', { data: { v: '2' } });
  const out = await s.update('default', 'a', (cur) => ({ ...cur, data: { ...cur.data, w: 'x' } }));
  assert.deepEqual(out.data, { v: '2', w: 'x' });
  assert.deepEqual((await c.get(cms, 'a')).data, { v: '2', w: 'x' });
});

test('a write that is a no-op against the stale copy is still written when the latest version differs', async () => {
  const c = cluster.client();
  await c.create(cms, { metadata: { name: 'b' }, data: { v: '1' } });
  const s = await storageWithStaleCopyOf('b');
  const newer = await c.patch(cms, 'b', 'merge', { data: { v: '2' } });
  const out = await s.update('default', 'b', (cur) => ({ ...cur, data: { v: '1' } }));
  assert.deepEqual((await c.get(cms, 'b')).data, { v: '1' });
  assert.ok(Number(out.metadata.resourceVersion) > Number(newer.metadata.resourceVersion));
});

test('a resourceVersion the caller sent is checked against the latest version, not the stale copy', async () => {
  const c = cluster.client();
  await c.create(cms, { metadata: { name: 'd' }, data: { v: '1' } });
  const s = await storageWithStaleCopyOf('d');
  const newer = await c.patch(cms, 'd', 'merge', { data: { v: '2' } });
  const sent = { ...newer, data: { v: '3' } };
  assert.deepEqual((await s.update('default', 'd', () => structuredClone(sent))).data, { v: '3' });
  // And the one from before is a conflict, as without a cache.
  const old = { ...newer, data: { v: '4' } };
  await assert.rejects(s.update('default', 'd', () => structuredClone(old)), (e: { code?: number }) => e.code === 409);
});

test('an object deleted since the cached copy is NotFound', async () => {
  const c = cluster.client();
  await c.create(cms, { metadata: { name: 'e' }, data: { v: '1' } });
  const s = await storageWithStaleCopyOf('e');
  await c.delete(cms, 'e');
  await assert.rejects(s.update('default', 'e', (cur) => ({ ...cur, data: { v: '2' } })), (e: { code?: number }) => e.code === 404);
});
