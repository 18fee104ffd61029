/**
 * @module The real kubectl against these documents: `explain` reads /openapi/v3, and `apply` finds
 * fieldValidation on the PATCH operation so it leaves validation to the server. Skipped without kubectl.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { allTypes, groups, gvString } from '../scheme.js';
import { cannotBeHandledMessage, unknownFields } from './field-validation.js';
import { openapiV3Document, openapiV3Index } from './v3.js';

const KUBECTL = '/usr/bin/kubectl';

/** Just enough legacy discovery for kubectl's REST mapper. */
function discovery(path: string): unknown {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().filter((g) => g.name).map((g) => ({
    name: g.name, versions: g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version })),
    preferredVersion: { groupVersion: `${g.name}/${g.versions[0]}`, version: g.versions[0] } })) };
  const gv = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
  if (!gv) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: allTypes()
    .filter((t) => gvString(t.group, t.version) === gv)
    .map((t) => ({ name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind,
      verbs: t.verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: t.shortNames })) };
}

describe('kubectl 1.32 against the OpenAPI documents', { skip: !existsSync(KUBECTL) && 'no kubectl' }, () => {
  let server: Server;
  let dir: string;
  const requests: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tug-openapi-'));
    await writeFile(join(dir, 'kubeconfig'), '');
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://127.0.0.1');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
      };
      const status = (code: number, reason: string, message: string) =>
        send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (url.pathname === '/openapi/v3') return send(200, openapiV3Index());
        const doc = url.pathname.startsWith('/openapi/v3/') && openapiV3Document(url.pathname.slice('/openapi/v3/'.length));
        if (doc) return send(200, doc.body);
        const disc = req.method === 'GET' && discovery(url.pathname);
        if (disc) return send(200, disc);
        if (req.method === 'POST' && url.pathname === '/apis/apps/v1/namespaces/default/deployments') {
          const paths = unknownFields('apps/v1', 'Deployment', JSON.parse(body));
          return status(400, 'BadRequest', cannotBeHandledMessage('Deployment', 'v1', paths));
        }
        status(404, 'NotFound', 'the server could not find the requested resource');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const { port } = server.address() as AddressInfo;
    execFile(KUBECTL, ['--server', `http://127.0.0.1:${port}`, '--cache-dir', join(dir, 'cache'), ...args],
      { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });

  test('explain shows a field with its type and description', async () => {
    const r = await kubectl('explain', 'deployment.spec.replicas');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1/);
    assert.match(r.stdout, /FIELD: replicas <integer>/);
    assert.match(r.stdout, /Number of desired pods/);
  });

  test('explain --recursive walks the container schema with upstream type names', async () => {
    const r = await kubectl('explain', 'pods.spec.containers', '--recursive');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /FIELD: containers <\[\]Container>/);
    assert.match(r.stdout, /\n {2}name\t<string> -required-\n/);
    assert.match(r.stdout, /\n +port\t<IntOrString> -required-\n/);
    assert.match(r.stdout, /\n +limits\t<map\[string\]Quantity>\n/);
  });

  test('apply leaves validation to the server and shows its strict decoding error', async () => {
    const manifest = join(dir, 'deploy.yaml');
    await writeFile(manifest, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  foo: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: busybox, bar: true}]}
`);
    const r = await kubectl('apply', '-f', manifest);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `Error from server (BadRequest): error when creating "${manifest}": Deployment in version ` +
      '"v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", ' +
      'unknown field "spec.template.spec.containers[0].bar"');
    assert.ok(requests.some((q) => q.startsWith('POST ') && q.includes('fieldValidation=Strict')), requests.join('\n'));
    assert.ok(!requests.some((q) => q.includes('/openapi/v2')), 'no client-side validation from /openapi/v2');
  });
});
