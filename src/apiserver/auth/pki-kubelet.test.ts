/**
 * @module Tests for the node agent's certificates in the cluster PKI: its serving certificate per
 * node and the API server's client certificate toward agents.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureKubeletClientCert, ensureKubeletServingCert, ensurePKI, type PKI } from './pki.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

describe('node agent certificates', () => {
  let dataDir: string;
  let pki: PKI;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tugboat-pki-kubelet-'));
    pki = await ensurePKI(dataDir, { hosts: [] });
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test('the serving certificate is system:node:NAME in system:nodes and covers the node name and IPs', async () => {
    const pair = await ensureKubeletServingCert(pki, { nodeName: 'node-1', addresses: ['10.1.2.3', 'node-1.example'] });
    const cert = new X509Certificate(pair.cert);
    assert.ok(cert.verify(new X509Certificate(pki.ca.cert).publicKey));
    assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:node-1');
    assert.deepEqual(cert.keyUsage, [SERVER_AUTH]);
    assert.equal(cert.checkIP('10.1.2.3'), '10.1.2.3');
    assert.equal(cert.checkHost('node-1'), 'node-1');
    assert.equal(cert.checkHost('node-1.example'), 'node-1.example');
    assert.equal((await stat(join(pki.dir, 'kubelet-serving-node-1.key'))).mode & 0o777, 0o600);
  });

  test('it is reused across starts and reissued when the node gets a new address', async () => {
    const a = await ensureKubeletServingCert(pki, { nodeName: 'node-2', addresses: ['10.1.2.3'] });
    const b = await ensureKubeletServingCert(pki, { nodeName: 'node-2', addresses: ['10.1.2.3'] });
    assert.equal(a.cert, b.cert);
    const c = await ensureKubeletServingCert(pki, { nodeName: 'node-2', addresses: ['10.9.9.9'] });
    assert.notEqual(c.cert, a.cert);
    assert.equal(new X509Certificate(c.cert).checkIP('10.9.9.9'), '10.9.9.9');
  });

  test('a node name that is not a DNS name is refused (it names a file)', async () => {
    await assert.rejects(ensureKubeletServingCert(pki, { nodeName: '../etc', addresses: [] }), /invalid node name/);
  });

  test('the API server client certificate is kube-apiserver-kubelet-client in system:masters, kept on disk', async () => {
    const a = await ensureKubeletClientCert(pki);
    const cert = new X509Certificate(a.cert);
    assert.equal(cert.subject, 'O=system:masters\nCN=kube-apiserver-kubelet-client');
    assert.deepEqual(cert.keyUsage, [CLIENT_AUTH]);
    assert.equal((await ensureKubeletClientCert(pki)).cert, a.cert);
  });
});
