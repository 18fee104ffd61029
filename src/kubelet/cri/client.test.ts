/**
 * @module CRIClient: the runtime conformance suite against a private containerd, and the
 * client's own edges (endpoint checks, deadlines, error and int64 mapping) against a stub gRPC
 * server on a unix socket.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startTestContainerd } from '../../../test/support/containerd.js';
import { TEST_IMAGE } from '../images/names.js';
import { removePodCgroups } from '../spec/cgroups.js';
import { CRIClient } from './client.js';
import { Code } from './errors.js';
import { busyboxCommand, runRuntimeConformance } from './runtime.conformance.js';
import { CRIError } from './types.js';

describe('CRIClient conformance against containerd', () => {
  runRuntimeConformance(async () => {
    const ctd = await startTestContainerd();
    const runtime = new CRIClient(ctd.endpoint);
    const cgroupRoot = `/tugboat-cri-test-${randomBytes(4).toString('hex')}`;
    return {
      runtime,
      image: TEST_IMAGE,
      // Port 1 on loopback refuses at once: a failed pull without traffic off the machine.
      unpullableImage: '127.0.0.1:1/tugboat/absent:1',
      podCIDR: ctd.subnet,
      logRoot: ctd.logDir,
      cgroupRoot,
      command: busyboxCommand,
      close: async () => {
        runtime.close();
        try {
          await ctd.stop();
        } finally {
          // runc leaves the pods' parent cgroups behind; the kubelet (here: the test) removes them.
          await removePodCgroups(cgroupRoot);
        }
      },
    };
  });
});

describe('CRIClient against a stub runtime', () => {
  let dir: string;
  let server: grpc.Server;
  let endpoint: string;
  const createdAt = '1795911793046656515'; // beyond 2^53: must arrive as the exact string
  let lastRun: Record<string, any> | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tugboat-cri-stub-'));
    endpoint = `unix://${join(dir, 'cri.sock')}`;
    const def = protoLoader.loadSync(fileURLToPath(new URL('./api.proto', import.meta.url)), { keepCase: false, longs: String, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as any;
    server = new grpc.Server();
    const notFound = (what: string) => ({ code: grpc.status.NOT_FOUND, details: `an error occurred when try to find container "${what}": not found` });
    server.addService(pkg.runtime.v1.RuntimeService.service, {
      version: () => { /* never answers: the client's deadline must end the call */ },
      runPodSandbox: (call: any, cb: any) => { lastRun = call.request; cb(null, { podSandboxId: 'sb1' }); },
      podSandboxStatus: (_call: any, cb: any) => cb(null, { status: { id: 'sb1', metadata: { name: 'p', uid: 'u', namespace: 'ns' }, state: 'SANDBOX_NOTREADY', createdAt } }),
      containerStatus: (call: any, cb: any) => cb(notFound(call.request.containerId)),
      execSync: (call: any, cb: any) => cb(null, { stdout: Buffer.from(call.request.cmd.join(' ')), exitCode: Number(call.request.timeout) }),
    });
    server.addService(pkg.runtime.v1.ImageService.service, {
      imageStatus: (_call: any, cb: any) => cb(null, {}),
    });
    await new Promise<void>((resolve, reject) => server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  });

  after(async () => {
    server?.forceShutdown();
    await rm(dir, { recursive: true, force: true });
  });

  test('refuses an endpoint that is not unix:///absolute/path, and a timeout that is not positive', () => {
    for (const bad of ['/run/containerd/containerd.sock', 'unix://relative.sock', 'tcp://127.0.0.1:1', '']) {
      assert.throws(() => new CRIClient(bad), /unix:\/\/\/absolute\/path\.sock/);
    }
    assert.throws(() => new CRIClient('unix:///x.sock', { timeoutMs: 0 }), /positive/);
  });

  test('a socket nobody listens on fails the call with UNAVAILABLE, at once', async () => {
    const c = new CRIClient(`unix://${join(dir, 'nobody.sock')}`);
    const t0 = Date.now();
    await assert.rejects(c.version(), (e) => e instanceof CRIError && e.code === Code.Unavailable && e.method === 'Version');
    assert.ok(Date.now() - t0 < 5000, 'should fail fast');
    c.close();
  });

  test('a call the runtime never answers ends at the deadline with DEADLINE_EXCEEDED', async () => {
    const c = new CRIClient(endpoint, { timeoutMs: 200 });
    await assert.rejects(c.version(), (e) => e instanceof CRIError && e.code === Code.DeadlineExceeded);
    c.close();
  });

  test('a gRPC error becomes a CRIError with the method, the code and the runtime\'s message', async () => {
    const c = new CRIClient(endpoint);
    await assert.rejects(c.containerStatus('abc'), (e) => {
      assert.ok(e instanceof CRIError, 'a CRIError');
      assert.equal(e.code, Code.NotFound);
      assert.equal(e.message, 'ContainerStatus: an error occurred when try to find container "abc": not found');
      return true;
    });
    c.close();
  });

  test('requests carry enums by name and int64 as given; replies keep int64 exact and fill defaults', async () => {
    const c = new CRIClient(endpoint);
    await c.runPodSandbox({
      metadata: { name: 'p', uid: 'u', namespace: 'ns' },
      linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER' }, runAsUser: { value: '1000' } } },
      portMappings: [{ protocol: 'UDP', containerPort: 53, hostPort: 5353 }],
    }, 'runc');
    assert.equal(lastRun?.runtimeHandler, 'runc');
    assert.deepEqual(lastRun?.config.linux.securityContext.namespaceOptions, { network: 'NODE', pid: 'CONTAINER', ipc: 'POD', targetId: '' });
    assert.equal(lastRun?.config.linux.securityContext.runAsUser.value, '1000');
    assert.equal(lastRun?.config.portMappings[0].protocol, 'UDP');
    const s = await c.podSandboxStatus('sb1');
    assert.equal(s.createdAt, createdAt);
    assert.equal(s.state, 'SANDBOX_NOTREADY');
    assert.deepEqual(s.metadata, { name: 'p', uid: 'u', namespace: 'ns', attempt: 0 });
    assert.deepEqual([s.labels, s.annotations, s.network], [{}, {}, undefined]);
    assert.equal(await c.imageStatus({ image: 'x' }), undefined);
    const r = await c.execSync('c1', ['echo', 'hi'], 7);
    assert.deepEqual([r.stdout.toString(), r.stderr.length, r.exitCode], ['echo hi', 0, 7]);
    c.close();
  });

  test('bad arguments are refused before they reach the runtime (containerd 1.6 panics on a sandbox config without metadata)', async () => {
    const c = new CRIClient(endpoint);
    const invalid = (e: unknown) => e instanceof CRIError && e.code === Code.InvalidArgument;
    await assert.rejects(c.createContainer('sb1', { metadata: { name: 'a' }, image: { image: 'x' } }, {} as never), invalid);
    await assert.rejects(c.createContainer('sb1', {} as never, { metadata: { name: 'p', uid: 'u', namespace: 'ns' } }), invalid);
    await assert.rejects(c.runPodSandbox({} as never), invalid);
    await assert.rejects(c.stopContainer('c1', Number.NaN), invalid);
    await assert.rejects(c.execSync('c1', ['true'], 1.5), invalid);
    c.close();
  });
});
