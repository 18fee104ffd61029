/**
 * @module grpc probes against a grpc-js server on 127.0.0.1 that serves grpc.health.v1.Health
 * (and one that does not): SERVING, NOT_SERVING, unimplemented, refused, and the message codec.
 */
import assert from 'node:assert/strict';
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { after, before, test } from 'node:test';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, grpcProbe } from './grpc-probe.js';

// An object, not the bare string: grpc-js takes a falsy request for a missing one.
const decodeService = (b: Buffer) => ({ service: b.length ? b.subarray(2, 2 + b[1]).toString('utf8') : '' });
const health: ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false,
    requestSerialize: (r: { service: string }) => encodeHealthCheckRequest(r.service), requestDeserialize: decodeService,
    responseSerialize: (n: number) => (n ? Buffer.from([0x08, n]) : Buffer.alloc(0)), responseDeserialize: decodeHealthCheckResponse,
  },
};

let server: Server;
let port: number;
let bare: Server;
let barePort: number;
before(async () => {
  server = new Server();
  server.addService(health, {
    Check: (call: ServerUnaryCall<{ service: string }, number>, cb: sendUnaryData<number>) => {
      const service = call.request.service;
      if (service === 'broken') cb({ code: status.INTERNAL, details: 'boom' });
      else cb(null, service === 'down' ? 2 : service === 'unset' ? 0 : 1);
    },
  });
  const bind = (s: Server) => new Promise<number>((r, j) => s.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  port = await bind(server);
  bare = new Server();
  barePort = await bind(bare);
});
after(() => { server.forceShutdown(); bare.forceShutdown(); });

test('the request and response codecs', () => {
  assert.deepEqual([...encodeHealthCheckRequest('')], []);
  assert.deepEqual([...encodeHealthCheckRequest('ab')], [0x0a, 2, 0x61, 0x62]);
  assert.equal(encodeHealthCheckRequest('x'.repeat(200)).subarray(0, 3).toString('hex'), '0ac801');
  assert.equal(decodeHealthCheckResponse(Buffer.from([0x08, 0x01])), 1);
  assert.equal(decodeHealthCheckResponse(Buffer.alloc(0)), 0);
});

test('SERVING is success; other statuses and errors fail as the kubelet words them', async () => {
  assert.deepEqual(await grpcProbe('127.0.0.1', port, '', 2000), { result: 'success', output: 'service healthy' });
  assert.deepEqual(await grpcProbe('127.0.0.1', port, 'down', 2000), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  assert.deepEqual(await grpcProbe('127.0.0.1', port, 'unset', 2000), { result: 'failure', output: 'service unhealthy (responded with "UNKNOWN")' });
  const broken = await grpcProbe('127.0.0.1', port, 'broken', 2000);
  assert.equal(broken.result, 'failure');
  assert.match(broken.result === 'failure' ? broken.output : '', /^error: health rpc probe failed: 13 INTERNAL: boom$/);
  const unimplemented = await grpcProbe('127.0.0.1', barePort, '', 2000);
  assert.match(unimplemented.result === 'failure' ? unimplemented.output : '', /^error: this server does not implement the grpc health protocol \(grpc.health.v1.Health\)/);
});

test('nothing listening: a connect timeout within the probe timeout', async () => {
  const t0 = Date.now();
  const o = await grpcProbe('127.0.0.1', 1, '', 300);
  assert.deepEqual(o, { result: 'failure', output: 'timeout: failed to connect service "127.0.0.1:1" within 0.3s: context deadline exceeded' });
  assert.ok(Date.now() - t0 < 2000);
});
