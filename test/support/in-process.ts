/**
 * @module An in-process cluster for integration tests: SQLite store in a temp dir behind the
 * watch cache, the registry with the built-in admission chain, and LocalClients — no HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdmission } from '../../src/apiserver/admission/index.js';
import { ensureSystemNamespaces } from '../../src/apiserver/bootstrap.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { StorageRegistry } from '../../src/apiserver/registry/registry.js';
import { openStore, type OpenStoreOptions } from '../../src/storage/factory.js';
import type { Store } from '../../src/storage/store.js';

export interface InProcessCluster {
  store: Store;
  registry: StorageRegistry;
  client(fieldManager?: string): LocalClient;
  close(): Promise<void>;
}

export async function startInProcess(opts: Partial<OpenStoreOptions> = {}): Promise<InProcessCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tug-it-'));
  // A test file that dies before its after() hook still leaves no directory behind.
  process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const store = await openStore({ dataDir, watchCache: true, ...opts });
  const registry = new StorageRegistry(store, builtinAdmission);
  await ensureSystemNamespaces(registry);
  return {
    store, registry,
    client: (fieldManager = 'test') => new LocalClient(registry, fieldManager),
    async close() {
      try {
        await store.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
