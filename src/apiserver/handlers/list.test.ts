/**
 * @module Lists over HTTPS with the real kubectl: resourceVersion "0" is answered from the watch
 * cache in one page (limit ignored, as kube-apiserver does); "" and exact reads keep paging; a
 * list of more items than one write chunk is the same JSON; the HTTPS client reads both.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupResource } from '../../api/scheme.js';
import { writeAdminKubeconfig } from '../../cli/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { openStore } from '../../storage/factory.js';
import type { Store } from '../../storage/store.js';
import { builtinAdmission } from '../admission/index.js';
import { ensurePKI } from '../auth/pki.js';
import { ensureSystemNamespaces } from '../bootstrap.js';
import { LocalClient } from '../local-client.js';
import { startApiServer, type ApiServer } from '../server.js';

const configmaps = { type: lookupResource('', 'v1', 'configmaps')!, namespace: 'default' };
const COUNT = 2100; // more than one write chunk of the list handler
let dir: string;
let store: Store;
let api: ApiServer;
let kubeconfig: string;

const kubectl = (...args: string[]) => new Promise<string>((resolve, reject) => {
  execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
});
const raw = async (path: string) => JSON.parse(await kubectl('get', '--raw', path));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tug-list-'));
  const pki = await ensurePKI(join(dir, 'pki'), { hosts: [] });
  store = await openStore({ dataDir: dir, watchCache: true });
  api = await startApiServer({ store, admission: builtinAdmission, pki, host: '127.0.0.1', port: 0 });
  await ensureSystemNamespaces(api.registry);
  kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeAdminKubeconfig(kubeconfig, { server: `https://127.0.0.1:${api.port}`, caPem: pki.ca.cert, certPem: pki.admin.cert, keyPem: pki.admin.key });
  const client = new LocalClient(api.registry, 'test');
  for (let i = 0; i < COUNT; i++) await client.create(configmaps, { metadata: { name: `cm-${String(i).padStart(4, '0')}` }, data: { i: String(i) } });
});
after(async () => {
  await api?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

test('list at resourceVersion=0 ignores limit: every item, no continue', async () => {
  const list = await raw('/api/v1/namespaces/default/configmaps?resourceVersion=0&limit=1');
  assert.equal(list.kind, 'ConfigMapList');
  assert.equal(list.items.length, COUNT);
  assert.equal(list.metadata.continue, undefined);
  assert.deepEqual(list.items.map((o: any) => o.data.i), Array.from({ length: COUNT }, (_, i) => String(i)));
  assert.ok(Number(list.metadata.resourceVersion) > 0);
});

test('list without resourceVersion, or NotOlderThan a revision with a limit, still pages', async () => {
  const first = await raw('/api/v1/namespaces/default/configmaps?limit=1');
  assert.equal(first.items.length, 1);
  assert.ok(first.metadata.continue);
  const rv = first.metadata.resourceVersion;
  const older = await raw(`/api/v1/namespaces/default/configmaps?limit=2&resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
  assert.equal(older.items.length, 2);
  assert.ok(older.metadata.continue);
  // Without a limit, a revision is answered whole (from the cache), at that revision or later.
  const whole = await raw(`/api/v1/namespaces/default/configmaps?resourceVersion=${rv}`);
  assert.equal(whole.items.length, COUNT);
  assert.ok(Number(whole.metadata.resourceVersion) >= Number(rv));
});

test('the HTTPS client reads a list written in chunks', async () => {
  const c = await RestClient.fromKubeconfig(kubeconfig, 'list-test/1');
  try {
    const list = await c.list(configmaps, { resourceVersion: '0', limit: 5 });
    assert.equal(list.items.length, COUNT);
    assert.equal(list.continue, undefined);
    assert.equal(list.items[COUNT - 1].metadata.name, `cm-${COUNT - 1}`);
  } finally {
    c.close();
  }
});
