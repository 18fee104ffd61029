/**
 * @module Tests for kubeconfig files: the admin kubeconfig's shape and mode, and reading credentials
 * back from embedded data or from files. (kubectl itself reads one in apiserver/auth/authenticate.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { readKubeconfig, writeAdminKubeconfig } from './kubeconfig.js';

const PEMS = { caPem: 'CA PEM\n', certPem: 'CERT PEM\n', keyPem: 'KEY PEM\n' };

describe('kubeconfig', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'tugboat-kubeconfig-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the admin kubeconfig names everything default, embeds base64 data and is mode 0600', async () => {
    const path = join(dir, 'admin.yaml');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeAdminKubeconfig(path, PEMS);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(parse(await readFile(path, 'utf8')), {
      apiVersion: 'v1', kind: 'Config', 'current-context': 'default', preferences: {},
      clusters: [{ name: 'default', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0EgUEVNCg==' } }],
      contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
      users: [{ name: 'default', user: { 'client-certificate-data': 'Q0VSVCBQRU0K', 'client-key-data': 'S0VZIFBFTQo=' } }],
    });
  });

  test('readKubeconfig returns what writeAdminKubeconfig wrote', async () => {
    const path = join(dir, 'roundtrip.yaml');
    await writeAdminKubeconfig(path, { ...PEMS, server: 'https://10.0.0.1:6443', name: 'tug' });
    assert.deepEqual(await readKubeconfig(path),
      { server: 'https://10.0.0.1:6443', ca: 'CA PEM\n', cert: 'CERT PEM\n', key: 'KEY PEM\n', token: undefined });
  });

  test('readKubeconfig follows current-context and reads files relative to the kubeconfig', async () => {
    await writeFile(join(dir, 'ca.crt'), 'FILE CA\n');
    const path = join(dir, 'files.yaml');
    await writeFile(path, [
      'current-context: b',
      'contexts: [{name: a, context: {cluster: one, user: u}}, {name: b, context: {cluster: two, user: u}}]',
      'clusters: [{name: one, cluster: {server: "https://one"}}, {name: two, cluster: {server: "https://two", certificate-authority: ca.crt}}]',
      'users: [{name: u, user: {token: abc}}]',
    ].join('\n'));
    assert.deepEqual(await readKubeconfig(path),
      { server: 'https://two', ca: 'FILE CA\n', cert: undefined, key: undefined, token: 'abc' });
  });

  test('readKubeconfig names a missing context', async () => {
    const path = join(dir, 'broken.yaml');
    await writeFile(path, 'current-context: nope\ncontexts: []\n');
    await assert.rejects(readKubeconfig(path), { message: `kubeconfig ${path}: context "nope" not found` });
  });
});
