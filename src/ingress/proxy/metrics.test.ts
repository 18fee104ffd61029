/**
 * The ingress metrics as an operator reads them: through the API server's /metrics (which serves
 * this process's prom-client registry), authenticated like every other API path.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { builtinAdmission } from '../../apiserver/admission/index.js';
import { ensurePKI, type PKI } from '../../apiserver/auth/pki.js';
import { startApiServer, type ApiServer } from '../../apiserver/server.js';
import { openStore } from '../../storage/factory.js';
import type { Store } from '../../storage/store.js';
import { startIngressProxy, type IngressProxy } from './index.js';
import { backend, echoBackend, route, RoutesHolder, StaticRoutes, type EchoBackend } from './testing.js';

let dir: string, pki: PKI, store: Store, api: ApiServer, proxy: IngressProxy, app: EchoBackend;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tug-ingress-metrics-'));
  pki = await ensurePKI(dir, { hosts: [] });
  store = await openStore({ dataDir: dir });
  api = await startApiServer({ store, admission: builtinAdmission, pki, host: '127.0.0.1', port: 0 });
  app = await echoBackend('app');
  const table = new StaticRoutes(1, [route({ host: 'metrics.test', ingress: { namespace: 'shop', name: 'front' },
    backend: backend('web', [{ ip: '127.0.0.1', port: app.port }]) })]);
  proxy = await startIngressProxy({ routes: new RoutesHolder(table), host: '127.0.0.1', httpPort: 0, httpsPort: 0, log: pino({ level: 'silent' }) });
});
after(async () => {
  await proxy?.stop();
  await app?.close();
  await api?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

function getMetrics(cert?: { cert: string; key: string }): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: api.port, path: '/metrics', ca: pki.ca.cert, agent: false, ...cert }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    }).on('error', reject);
  });
}

test('the API server /metrics shows the ingress requests to an authenticated client only', async () => {
  for (const path of ['/', '/a', '/b']) {
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: proxy.httpPort, path, headers: { host: 'metrics.test' } }, (res) => { res.resume(); res.on('end', resolve); })
        .on('error', reject);
    });
  }
  const anonymous = await getMetrics();
  assert.equal(anonymous.status, 401);
  const m = await getMetrics(pki.admin);
  assert.equal(m.status, 200);
  assert.match(m.type ?? '', /^text\/plain/);
  assert.match(m.body, /tugboat_ingress_requests_total\{ingress="front",namespace="shop",host="metrics.test",service="web",status="200"\} 3/);
  assert.match(m.body, /tugboat_ingress_request_duration_seconds_count\{ingress="front",namespace="shop",host="metrics.test",service="web"\} 3/);
});
