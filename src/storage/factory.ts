/**
 * @module openStore: picks the backend from a datastore endpoint, as k3s's --datastore-endpoint
 * does: nothing or `sqlite://PATH` is the embedded SQLite store, `etcd://host:port,...` is etcd.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Store } from './store.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
import { EtcdStore } from './etcd/etcd-store.js';
import { Cacher, type CacherOptions } from './cacher/cacher.js';

export interface OpenStoreOptions {
  /** Empty or absent: SQLite at dataDir/state.db; `sqlite://PATH`; `etcd://host:port[,host:port…]`. */
  endpoint?: string;
  dataDir: string;
  /** Tuning for the SQLite backend (compaction window, poll interval). */
  sqlite?: Omit<SqliteStoreOptions, 'path'>;
  /** Serve lists and watches from an in-memory watch cache over the backend (off by default). */
  watchCache?: boolean | CacherOptions;
}

/** Opens the store; throws a one-line Error for an unknown scheme or an unreachable etcd. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const store = await openBackend(opts);
  if (!opts.watchCache) return store;
  return Cacher.open(store, opts.watchCache === true ? {} : opts.watchCache);
}

async function openBackend(opts: OpenStoreOptions): Promise<Store> {
  const endpoint = opts.endpoint ?? '';
  if (endpoint === '' || endpoint.startsWith('sqlite://')) {
    const path = endpoint.slice('sqlite://'.length) || join(opts.dataDir, 'state.db');
    mkdirSync(dirname(path), { recursive: true });
    return SqliteStore.open({ ...opts.sqlite, path });
  }
  if (endpoint.startsWith('etcd://')) {
    const endpoints = endpoint.slice('etcd://'.length).split(',').map((e) => e.trim()).filter(Boolean);
    if (endpoints.length === 0) throw new Error(`datastore endpoint "${endpoint}" names no etcd member (etcd://host:port[,host:port…])`);
    const store = new EtcdStore({ endpoints });
    await reachable(store, endpoint);
    return store;
  }
  throw new Error(`unknown datastore endpoint "${endpoint}": use sqlite://PATH or etcd://host:port[,host:port…]`);
}

async function reachable(store: Store, endpoint: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`etcd at ${endpoint} did not answer within 10 s`)), 10_000);
  });
  try {
    await Promise.race([store.currentRevision(), timeout]);
  } catch (err) {
    await store.close();
    throw new Error(`cannot reach etcd at ${endpoint}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
