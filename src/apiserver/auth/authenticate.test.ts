/**
 * @module Tests for authentication over real TLS: Node's https client and the real kubectl (Go's
 * TLS stack) against an https server built from tlsServerOptions, with the PKI from ensurePKI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writeAdminKubeconfig } from '../../cli/kubeconfig.js';
import { authenticate, isPublicPath, tlsServerOptions, type UserInfo } from './authenticate.js';
import { ensurePKI, issueClientCert, type CertKeyPair, type PKI } from './pki.js';

const KUBECTL = '/usr/bin/kubectl';
const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };
const AGENT: UserInfo = { username: 'system:node:n1', groups: ['system:nodes'] };

describe('authenticate over TLS', () => {
  let dir: string;
  let pki: PKI;
  let server: Server;
  let port: number;
  /** Users the server saw, in request order. */
  const seen: (UserInfo | undefined)[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tugboat-authn-'));
    pki = await ensurePKI(dir, { hosts: [] });
    server = createServer(tlsServerOptions(pki), (req, res) => {
      const user = authenticate(req, { tokens: new Map([['agent-token', AGENT]]) });
      seen.push(user);
      // kubectl adds ?timeout=32s to discovery requests.
      const path = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
      if (!user && !isPublicPath(path, req.method)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"kind":"Status","code":401}');
        return;
      }
      const body = path === '/version' ? VERSION
        : path === '/api' ? { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }
        : path === '/apis' ? { kind: 'APIGroupList', apiVersion: 'v1', groups: [] }
        : { user };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await rm(dir, { recursive: true, force: true });
  });

  /** GET /whoami as the given client identity; resolves to the user the server saw. */
  async function whoami(client: Partial<CertKeyPair> = {}, headers: Record<string, string> = {}) {
    const body = await new Promise<string>((ok, fail) => {
      request({ host: '127.0.0.1', port, path: '/whoami', ca: pki.ca.cert, ...client, headers, agent: false }, (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (c) => (data += c)).on('end', () => ok(data));
      }).on('error', fail).end();
    });
    return (JSON.parse(body) as { user?: UserInfo }).user;
  }

  test('the admin certificate authenticates as system:admin with its groups', async () => {
    assert.deepEqual(await whoami(pki.admin), { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] });
  });

  test('a request without credentials is not authenticated', async () => {
    assert.equal(await whoami(), undefined);
  });

  test('a certificate from another CA is not authenticated', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'tugboat-authn-other-'));
    try {
      const other = await ensurePKI(otherDir, { hosts: [] });
      assert.equal(await whoami(other.admin), undefined);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  test('a serving certificate is not accepted as a client certificate', async () => {
    assert.equal(await whoami(pki.server), undefined);
  });

  test('a certificate from issueClientCert authenticates with its organizations as groups', async () => {
    const pair = await issueClientCert(pki, { commonName: 'system:node:n2', organizations: ['system:nodes'] });
    assert.deepEqual(await whoami(pair), { username: 'system:node:n2', groups: ['system:nodes', 'system:authenticated'] });
  });

  test('a known bearer token authenticates as its user; an unknown one does not', async () => {
    assert.deepEqual(await whoami({}, { authorization: 'Bearer agent-token' }),
      { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] });
    assert.equal(await whoami({}, { authorization: 'Bearer nope' }), undefined);
    assert.equal(await whoami({}, { authorization: 'Basic agent-token' }), undefined);
  });

  test('every request on one kept-alive connection authenticates by its certificate, unaffected by what a caller did to an earlier result', async () => {
    const { Agent } = await import('node:https');
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key });
    const sockets = new Set<unknown>();
    try {
      seen.length = 0;
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((ok, fail) => {
          const r = request({ host: '127.0.0.1', port, path: '/whoami', agent }, (res) => { res.resume().on('end', ok); });
          r.on('socket', (sock) => sockets.add(sock)).on('error', fail).end();
        });
        seen.at(-1)?.groups.push('mutated-by-caller');
      }
      assert.equal(sockets.size, 1, 'one connection');
      assert.deepEqual(seen.map((u) => u?.groups), Array(3).fill(['system:masters', 'system:authenticated', 'mutated-by-caller']));
    } finally {
      agent.destroy();
    }
  });

  test('kubectl accepts the CA, the serving certificate and the admin kubeconfig', async () => {
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeAdminKubeconfig(kubeconfig, {
      server: `https://127.0.0.1:${port}`, caPem: pki.ca.cert, certPem: pki.admin.cert, keyPem: pki.admin.key,
    });
    seen.length = 0;
    const env = { PATH: process.env.PATH, HOME: dir };
    const run = (...args: string[]) => promisify(execFile)(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env, timeout: 30_000 });
    const { stdout } = await run('version', '-o', 'json');
    assert.equal((JSON.parse(stdout) as { serverVersion: typeof VERSION }).serverVersion.gitVersion, 'v1.32.0');
    assert.deepEqual(seen.at(-1), { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] });
    // /apis is not public: this succeeds only because kubectl presented the admin certificate.
    assert.equal(JSON.parse((await run('get', '--raw', '/apis')).stdout).kind, 'APIGroupList');
  });
});

describe('isPublicPath', () => {
  const cases: { name: string; path: string; method?: string; want: boolean }[] = [
    { name: 'GET /healthz is public', path: '/healthz', want: true },
    { name: 'GET /livez with a query is public', path: '/livez?verbose', want: true },
    { name: 'GET /readyz is public', path: '/readyz', method: 'GET', want: true },
    { name: 'GET /version/ is public', path: '/version/', want: true },
    { name: 'POST /version is not public', path: '/version', method: 'POST', want: false },
    { name: 'GET /api is not public', path: '/api', want: false },
    { name: 'GET /healthz/etcd is not public', path: '/healthz/etcd', want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(isPublicPath(c.path, c.method), c.want));
});
