/** @module Lifecycle hooks: exec through CRI, httpGet against the pod (named ports, failures in the kubelet's words), sleep. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { HookRunner } from './hooks.js';

let server: Server;
let port = 0;
const paths: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    paths.push(`${req.url} ${req.headers['x-hook'] ?? ''}`);
    res.statusCode = req.url === '/fail' ? 500 : 200;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' } };
const exec = (exitCode: number) => ({ execSync: async () => ({ stdout: Buffer.from('out'), stderr: Buffer.from('err'), exitCode }) });

test('exec: success, and a failure in the kubelet\'s words', async () => {
  const t = { pod, container: { name: 'c' }, containerId: 'id', podIP: '127.0.0.1' };
  assert.equal(await new HookRunner(exec(0)).run(t, { exec: { command: ['true'] } }, 5), undefined);
  assert.equal(await new HookRunner(exec(2)).run(t, { exec: { command: ['sh', '-c', 'exit 2'] } }, 5),
    'Exec lifecycle hook ([sh -c exit 2]) for Container "c" in Pod "p_ns(u1)" failed - error: command \'sh -c exit 2\' exited with 2: err, message: "outerr"');
});

test('httpGet: the pod IP and a named port by default, headers sent; a 500 fails', async () => {
  const t = { pod, container: { name: 'c', ports: [{ name: 'http', containerPort: port }] }, containerId: 'id', podIP: '127.0.0.1' };
  const runner = new HookRunner(exec(0));
  assert.equal(await runner.run(t, { httpGet: { path: '/ok', port: 'http', httpHeaders: [{ name: 'X-Hook', value: 'yes' }] } }, 5), undefined);
  assert.equal(await runner.run(t, { httpGet: { path: '/fail', port } }, 5),
    'HTTP lifecycle hook (/fail) for Container "c" in Pod "p_ns(u1)" failed - error: HTTP lifecycle hook returned status code 500');
  assert.match((await runner.run(t, { httpGet: { path: '/x', port: 'nope' } }, 5))!, /couldn't find port: "nope"/);
  assert.deepEqual(paths, ['/ok yes', '/fail ']);
});

test('sleep waits, capped by the grace period', async () => {
  const started = Date.now();
  assert.equal(await new HookRunner(exec(0)).run({ pod, container: { name: 'c' }, containerId: 'id', podIP: '' }, { sleep: { seconds: 5 } }, 0.2), undefined);
  const took = Date.now() - started;
  assert.ok(took >= 150 && took < 2000, `${took} ms`);
});
