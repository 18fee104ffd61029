/**
 * @module Tests for the cluster PKI: chain and extensions as verifiers see them, reuse across starts,
 * and reissuing the serving certificate when names change or expiry nears.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensurePKI, issueClientCert, type PKI } from './pki.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY_MS = 86_400_000;

describe('ensurePKI', () => {
  let dataDir: string;
  let pki: PKI;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tugboat-pki-'));
    pki = await ensurePKI(dataDir, { hosts: ['tug.example', '10.20.30.40'] });
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test('the CA is a self-signed CA named tugboat-ca@<unix time>, valid for ten years', () => {
    const ca = new X509Certificate(pki.ca.cert);
    assert.equal(ca.ca, true);
    assert.match(ca.subject, /^CN=tugboat-ca@\d+$/);
    assert.ok(ca.verify(ca.publicKey));
    const years = (Date.parse(ca.validTo) - Date.now()) / (365 * DAY_MS);
    assert.ok(years > 9.9 && years < 10.1, `CA valid for ${years} years`);
  });

  test('the serving certificate chains to the CA and covers every cluster name and opts.hosts', () => {
    const ca = new X509Certificate(pki.ca.cert);
    const cert = new X509Certificate(pki.server.cert);
    assert.equal(cert.ca, false);
    assert.ok(cert.verify(ca.publicKey));
    assert.ok(cert.checkIssued(ca));
    assert.ok(cert.checkPrivateKey(createPrivateKey(pki.server.key)));
    assert.deepEqual(cert.keyUsage, [SERVER_AUTH]);
    for (const name of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local', hostname().toLowerCase(), 'tug.example']) {
      assert.equal(cert.checkHost(name, { wildcards: false }), name);
    }
    for (const ip of ['127.0.0.1', '::1', '10.20.30.40']) assert.equal(cert.checkIP(ip), ip);
    assert.equal(cert.checkHost('other.example'), undefined);
  });

  test('the admin certificate is system:admin in system:masters, for client auth', () => {
    const cert = new X509Certificate(pki.admin.cert);
    assert.ok(cert.verify(new X509Certificate(pki.ca.cert).publicKey));
    assert.equal(cert.subject, 'O=system:masters\nCN=system:admin');
    assert.deepEqual(cert.keyUsage, [CLIENT_AUTH]);
  });

  test('keys are PKCS#8 PEM files with mode 0600', async () => {
    for (const name of ['ca', 'server', 'admin']) {
      assert.equal((await stat(join(dataDir, 'tls', `${name}.key`))).mode & 0o777, 0o600);
      assert.match(pki[name as 'ca'].key, /^-----BEGIN PRIVATE KEY-----\n/);
    }
  });

  test('a second start reuses every file', async () => {
    const again = await ensurePKI(dataDir, { hosts: ['10.20.30.40', 'tug.example'] });
    assert.deepEqual(again, pki);
  });

  test('a new host reissues only the serving certificate', async () => {
    const again = await ensurePKI(dataDir, { hosts: ['tug.example', '10.20.30.40', 'new.example'] });
    assert.notEqual(again.server.cert, pki.server.cert);
    assert.notEqual(again.server.key, pki.server.key);
    assert.deepEqual([again.ca, again.admin], [pki.ca, pki.admin]);
    assert.equal(new X509Certificate(again.server.cert).checkHost('new.example'), 'new.example');
    pki = again;
  });

  test('leaves that expire within 30 days are reissued, the CA is kept', async () => {
    const later = await ensurePKI(dataDir, { hosts: [], now: new Date(Date.now() + 340 * DAY_MS) });
    assert.equal(later.ca.cert, pki.ca.cert);
    assert.notEqual(later.server.cert, pki.server.cert);
    assert.notEqual(later.admin.cert, pki.admin.cert);
  });

  test('issueClientCert signs a client certificate with the given names and lifetime', async () => {
    const pair = await issueClientCert(pki, { commonName: 'system:node:n1', organizations: ['system:nodes', 'x'], days: 30 });
    const cert = new X509Certificate(pair.cert);
    assert.ok(cert.verify(new X509Certificate(pki.ca.cert).publicKey));
    assert.equal(cert.subject, 'O=system:nodes\nO=x\nCN=system:node:n1');
    assert.deepEqual(cert.keyUsage, [CLIENT_AUTH]);
    const days = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
    assert.ok(days > 29 && days < 31, `valid for ${days} days`);
  });
});

