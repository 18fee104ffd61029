/**
 * @module The join endpoints against a real API server over HTTPS with an SQLite store: the CA for
 * anyone, node credentials only for the join secret, a valid name and the node's own password.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lookupResource } from '../../api/scheme.js';
import { openStore } from '../../storage/factory.js';
import type { Store } from '../../storage/store.js';
import { builtinAdmission } from '../admission/index.js';
import { ensurePKI, type PKI } from '../auth/pki.js';
import { ensureSystemNamespaces } from '../bootstrap.js';
import { LocalClient } from '../local-client.js';
import { startApiServer, type ApiServer } from '../server.js';
import { nodePasswordSecretName } from './node-password.js';

const SECRET = 'join-secret-for-tests';
const cluster = { clusterCIDR: '10.42.0.0/16', serviceCIDR: '10.43.0.0/16', clusterDomain: 'cluster.local' };

interface Res { status: number; body: string; json(): any }

describe('join endpoints', () => {
  let dir: string;
  let store: Store;
  let api: ApiServer;
  let pki: PKI;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tug-join-'));
    pki = await ensurePKI(dir, { hosts: [] });
    store = await openStore({ dataDir: dir });
    api = await startApiServer({ store, admission: builtinAdmission, pki, host: '127.0.0.1', port: 0,
      join: { secret: SECRET, ca: pki.ca, certDir: join(dir, 'agent-certs'), cluster } });
    await ensureSystemNamespaces(api.registry);
  });
  after(async () => {
    await api?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  function request(method: string, path: string, o: { body?: unknown; token?: string; cert?: { cert: string; key: string } } = {}): Promise<Res> {
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: api.port, method, path, ca: pki.ca.cert, agent: false, ...o.cert,
        headers: { ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}), 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const credentials = (body: unknown, token = SECRET) => request('POST', '/v1-tugboat/node-credentials', { body, token });

  test('GET /cacerts answers anyone with the CA PEM', async () => {
    const res = await request('GET', '/cacerts');
    assert.equal(res.status, 200);
    assert.equal(res.body, pki.ca.cert);
  });

  test('a missing or wrong join secret is 401 Unauthorized', async () => {
    for (const token of ['', 'wrong', `${SECRET}x`]) {
      const res = await request('POST', '/v1-tugboat/node-credentials', { body: { nodeName: 'n1', nodeIP: '10.0.0.1', password: 'p' }, token });
      assert.equal(res.status, 401, `token "${token}"`);
      assert.equal(res.json().reason, 'Unauthorized');
    }
  });

  test('a node name that is no DNS-1123 subdomain is 422 Invalid', async () => {
    const res = await credentials({ nodeName: 'Bad_Name', nodeIP: '10.0.0.1', password: 'p' });
    assert.equal(res.status, 422);
    const s = res.json();
    assert.equal(s.reason, 'Invalid');
    assert.match(s.message, /^Node "Bad_Name" is invalid: nodeName: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    assert.deepEqual(s.details.causes.map((c: any) => c.field), ['nodeName']);
  });

  test('a missing password and a bad IP are 422 with one cause each', async () => {
    const res = await credentials({ nodeName: 'n2', nodeIP: 'not-an-ip' });
    assert.equal(res.status, 422);
    assert.deepEqual(res.json().details.causes.map((c: any) => `${c.field} ${c.reason}`), ['nodeIP FieldValueInvalid', 'password FieldValueRequired']);
  });

  test('a body that is not JSON is 400', async () => {
    const res = await request('POST', '/v1-tugboat/node-credentials', { body: '{', token: SECRET });
    assert.equal(res.status, 400);
    assert.equal(res.json().reason, 'BadRequest');
  });

  test('a first join gets working node credentials and stores the password hash', async () => {
    const res = await credentials({ nodeName: 'worker-1', nodeIP: '10.0.0.7', password: 'pw-1' });
    assert.equal(res.status, 200, res.body);
    const creds = res.json();
    assert.equal(creds.ca, pki.ca.cert);
    assert.deepEqual(creds.cluster, cluster);
    const client = new X509Certificate(creds.client.cert);
    assert.equal(client.subject, 'O=system:nodes\nCN=system:node:worker-1');
    const serving = new X509Certificate(creds.serving.cert);
    assert.ok(serving.checkIP('10.0.0.7') && serving.checkHost('worker-1'));
    assert.ok(serving.verify(new X509Certificate(pki.ca.cert).publicKey));
    // The API server's authenticator takes the client certificate as the node's user.
    const nodes = await request('GET', '/api/v1/nodes', { cert: creds.client });
    assert.equal(nodes.status, 200, nodes.body);
    const secret = await new LocalClient(api.registry, 'test').get({ type: lookupResource('', 'v1', 'secrets')!, namespace: 'kube-system' },
      nodePasswordSecretName('worker-1'));
    assert.equal(secret.immutable, true);
    assert.doesNotMatch(Buffer.from(secret.data.hash, 'base64').toString(), /pw-1/);
  });

  test('a rejoin with the same password gets new credentials; another password is 403', async () => {
    const first = (await credentials({ nodeName: 'worker-2', nodeIP: '10.0.0.8', password: 'pw-2' })).json();
    const again = await credentials({ nodeName: 'worker-2', nodeIP: '10.0.0.8', password: 'pw-2' });
    assert.equal(again.status, 200, again.body);
    assert.notEqual(again.json().client.cert, first.client.cert);
    const other = await credentials({ nodeName: 'worker-2', nodeIP: '10.0.0.9', password: 'someone-else' });
    assert.equal(other.status, 403);
    const s = other.json();
    assert.equal(s.reason, 'Forbidden');
    assert.match(s.message, /^nodes "worker-2" is forbidden: node password rejected, duplicate hostname or contents of/);
  });
});
