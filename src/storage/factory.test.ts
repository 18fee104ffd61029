/** @module openStore: endpoint parsing and the backend each scheme opens. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './factory.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { EtcdStore } from './etcd/etcd-store.js';
import { Cacher } from './cacher/cacher.js';
import { startEtcd } from '../../test/support/etcd.js';

const dir = mkdtempSync(join(tmpdir(), 'tug-factory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('no endpoint opens SQLite at dataDir/state.db', async () => {
  const store = await openStore({ dataDir: join(dir, 'a') });
  try {
    assert.ok(store instanceof SqliteStore);
    assert.ok(existsSync(join(dir, 'a', 'state.db')));
  } finally {
    await store.close();
  }
});

test('sqlite://PATH opens SQLite at PATH', async () => {
  const path = join(dir, 'b', 'custom.db');
  const store = await openStore({ endpoint: `sqlite://${path}`, dataDir: join(dir, 'unused') });
  try {
    await store.create('/registry/x', '1');
    assert.ok(existsSync(path));
  } finally {
    await store.close();
  }
});

test('etcd://host:port opens the etcd store', async (t) => {
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  const store = await openStore({ endpoint: `etcd://${etcd.endpoint}`, dataDir: dir });
  try {
    assert.ok(store instanceof EtcdStore);
    assert.equal((await store.create('/registry/x', '1')).value, '1');
  } finally {
    await store.close();
  }
});

test('watchCache wraps the backend in the watch cache', async () => {
  const store = await openStore({ dataDir: join(dir, 'c'), watchCache: true });
  try {
    assert.ok(store instanceof Cacher);
    const kv = await store.create('/registry/x', '1');
    assert.deepEqual((await store.list('/registry/')).items, [kv]);
  } finally {
    await store.close();
  }
});

test('an unknown scheme is a one-line error', async () => {
  await assert.rejects(openStore({ endpoint: 'mysql://db:3306', dataDir: dir }), (err: Error) =>
    /unknown datastore endpoint "mysql:\/\/db:3306"/.test(err.message) && !err.message.includes('\n'));
});
