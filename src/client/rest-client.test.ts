/**
 * @module RestClient against the real `bin/tug server` (one per file, compacting every second):
 * the shared Client conformance suite, then what only the HTTPS client has (paths, transport errors, streaming).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTugServer, type TugServer } from '../../test/support/tug-server.js';
import { StatusError } from '../apimachinery/errors.js';
import type { WatchEvent } from './client.js';
import { runClientConformance } from './client.conformance.js';
import { ref } from './kind-ref.js';
import { RestClient, resourcePath } from './rest-client.js';

let server: TugServer;
let client: RestClient;
before(async () => {
  server = await startTugServer({ extraArgs: ['--compact-interval', '1s'] });
  client = await RestClient.fromKubeconfig(server.kubeconfig, 'tug-test/1.0');
});
after(async () => {
  client?.close();
  await server?.cleanup();
});

describe('RestClient conformance', () => {
  runClientConformance(async () => ({
    client,
    // The server compacts every second to the revision the previous tick saw: two ticks pass anything written now.
    compact: () => new Promise((r) => setTimeout(r, 2500)),
    close: async () => {},
  }));
});

const paths: { name: string; got: string; want: string }[] = [
  { name: 'a core namespaced object is under /api/v1/namespaces/NS', got: resourcePath(ref('Pod').type, 'a', 'p'), want: '/api/v1/namespaces/a/pods/p' },
  { name: 'a group resource is under /apis/GROUP/VERSION', got: resourcePath(ref('Deployment').type, 'a'), want: '/apis/apps/v1/namespaces/a/deployments' },
  { name: 'a list across namespaces has no namespace segment', got: resourcePath(ref('Pod').type), want: '/api/v1/pods' },
  { name: 'a cluster-scoped kind ignores the namespace', got: resourcePath(ref('Node').type, 'a', 'n'), want: '/api/v1/nodes/n' },
  { name: 'a subresource follows the name', got: resourcePath(ref('Deployment').type, 'a', 'd', 'scale'), want: '/apis/apps/v1/namespaces/a/deployments/d/scale' },
  { name: 'names are escaped', got: resourcePath(ref('ConfigMap').type, 'a', 'x/y'), want: '/api/v1/namespaces/a/configmaps/x%2Fy' },
];
for (const p of paths) test(p.name, () => assert.equal(p.got, p.want));

const cms = ref('ConfigMap', 'default');

test('fromKubeconfig names the field manager after the user agent', async () => {
  const o = await client.create(cms, { metadata: { name: 'manager' } });
  assert.deepEqual(o.metadata.managedFields.map((f: { manager: string }) => f.manager), ['tug-test']);
});

test('a refused connection is a 503 StatusError carrying the transport error as cause', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const dead = new RestClient({ server: `https://127.0.0.1:${port}`, userAgent: 't', fieldManager: 't' });
  try {
    await assert.rejects(dead.get(cms, 'x'), (e) => e instanceof StatusError && e.code === 503 && (e.cause as NodeJS.ErrnoException).code === 'ECONNREFUSED');
    const ctl = new AbortController();
    const evs: WatchEvent[] = [];
    for await (const ev of dead.watch(cms, {}, ctl.signal)) evs.push(ev);
    assert.deepEqual(evs.map((e) => [e.type, e.object.code]), [['ERROR', 503]]);
  } finally {
    dead.close();
  }
});

test('an HTTP error at watch start is one ERROR event with the server\'s Status', async () => {
  const evs: WatchEvent[] = [];
  for await (const ev of client.watch(cms, { labelSelector: 'a in (' }, new AbortController().signal)) evs.push(ev);
  assert.equal(evs.length, 1);
  assert.equal(evs[0].type, 'ERROR');
  assert.equal(evs[0].object.code, 400);
  assert.equal(evs[0].object.reason, 'BadRequest');
});

test('watch decodes events split across chunks and many in one chunk, and ends at timeoutSeconds', async () => {
  const big = 'x'.repeat(300_000);
  for (let i = 0; i < 3; i++) await client.create(cms, { metadata: { name: `big-${i}`, labels: { suite: 'stream' } }, data: { big } });
  for (let i = 0; i < 50; i++) await client.create(cms, { metadata: { name: `small-${i}`, labels: { suite: 'stream' } } });
  const evs: WatchEvent[] = [];
  const started = Date.now();
  for await (const ev of client.watch(cms, { labelSelector: 'suite=stream', timeoutSeconds: 1 }, new AbortController().signal)) evs.push(ev);
  assert.ok(Date.now() - started < 5000);
  assert.equal(evs.length, 53);
  assert.ok(evs.every((e) => e.type === 'ADDED'));
  assert.deepEqual(evs.filter((e) => e.object.data?.big === big).length, 3);
});
