/**
 * @module Service ClusterIP and NodePort allocation through the real `tug server` and kubectl:
 * addresses and ports in their ranges, the `kubernetes` service and its endpoints, upstream's
 * errors for taken values and an exhausted range, and two servers on one etcd handing out
 * distinct addresses to concurrent creates.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { startTugServer, tugBin, type TugServer } from '../support/tug-server.js';

const inServiceCIDR = (ip: string) => /^10\.43\.\d{1,3}\.\d{1,3}$/.test(ip);
const jsonpath = (s: TugServer, args: string[]) => {
  const r = s.kubectl(['get', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
};

describe('service allocation on tug server', { timeout: 120_000 }, () => {
  let s: TugServer;
  before(async () => { s = await startTugServer({ extraArgs: ['--advertise-address', '127.0.0.1'] }); });
  after(async () => { await s?.cleanup(); });

  it('kubectl create service clusterip/nodeport get an address and a node port in range', () => {
    assert.equal(s.kubectl(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']).code, 0);
    assert.equal(s.kubectl(['create', 'service', 'nodeport', 'np', '--tcp=80:8080']).code, 0);
    const web = jsonpath(s, ['svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const np = jsonpath(s, ['svc', 'np', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}']).split(' ');
    assert.ok(inServiceCIDR(web), web);
    assert.ok(inServiceCIDR(np[0]) && np[0] !== web, np[0]);
    assert.ok(Number(np[1]) >= 30000 && Number(np[1]) <= 32767, np[1]);
    const table = s.kubectl(['get', 'svc', 'np']).stdout;
    assert.match(table, new RegExp(`np\\s+NodePort\\s+${np[0].replace(/\./g, '\\.')}\\s+<none>\\s+80:${np[1]}/TCP`));
  });

  it('the kubernetes service has the first address and lists the API server', () => {
    assert.equal(jsonpath(s, ['svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port} {.spec.ports[0].targetPort}']),
      `10.43.0.1 443 ${s.port}`);
    assert.equal(jsonpath(s, ['endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}']),
      `127.0.0.1:${s.port}`);
    assert.equal(jsonpath(s, ['endpointslice', 'kubernetes', '-o', 'jsonpath={.endpoints[0].addresses[0]}']), '127.0.0.1');
  });

  it('a taken cluster IP or node port is refused with kube-apiserver\'s message', () => {
    const web = jsonpath(s, ['svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const port = jsonpath(s, ['svc', 'np', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
    const ip = s.kubectl(['create', 'service', 'clusterip', 'dup', '--tcp=80', `--clusterip=${web}`]);
    assert.notEqual(ip.code, 0);
    assert.match(ip.stderr, new RegExp(`Service "dup" is invalid: spec\\.clusterIPs: Invalid value: \\[\\]string\\{"${web.replace(/\./g, '\\.')}"\\}: ` +
      `failed to allocate IP ${web.replace(/\./g, '\\.')}: provided IP is already allocated`));
    const np = s.kubectl(['create', 'service', 'nodeport', 'dup2', '--tcp=80:80', `--node-port=${port}`]);
    assert.notEqual(np.code, 0);
    assert.match(np.stderr, new RegExp(`Service "dup2" is invalid: spec\\.ports\\[0\\]\\.nodePort: Invalid value: ${port}: provided port is already allocated`));
    const far = s.kubectl(['create', 'service', 'clusterip', 'far', '--tcp=80', '--clusterip=10.99.0.1']);
    assert.match(far.stderr, /provided IP is not in the valid range\. The range of valid IPs is 10\.43\.0\.0\/16/);
  });

  it('deleting a service frees its address for the next one that asks', () => {
    const web = jsonpath(s, ['svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    assert.equal(s.kubectl(['delete', 'service', 'web']).code, 0);
    const r = s.kubectl(['create', 'service', 'clusterip', 'web2', '--tcp=80', `--clusterip=${web}`]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('bad ranges on the command line are one-line errors', () => {
    const r = spawnSync(tugBin, ['server', '--service-cidr', '10.0.0.0/8'], { encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim(), 'tug: specified --service-cidr is too large; for 32-bit addresses, the mask must be >= 12');
    const p = spawnSync(tugBin, ['server', '--service-node-port-range', '32000-31000'], { encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(p.status, 0);
    assert.match(p.stderr.trim(), /^tug: invalid --service-node-port-range "32000-31000"/);
  });
});

describe('a /28 service CIDR', { timeout: 60_000 }, () => {
  let s: TugServer;
  before(async () => { s = await startTugServer({ extraArgs: ['--service-cidr', '10.96.0.0/28'] }); });
  after(async () => { await s?.cleanup(); });

  it('holds the kubernetes and kube-dns services and twelve more, then runs out with InternalError', () => {
    assert.equal(jsonpath(s, ['svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']), '10.96.0.1');
    assert.equal(jsonpath(s, ['-n', 'kube-system', 'svc', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}']), '10.96.0.10');
    for (let i = 0; i < 12; i++) assert.equal(s.kubectl(['create', 'service', 'clusterip', `s${i}`, '--tcp=80']).code, 0);
    const ips = jsonpath(s, ['svc', '-A', '-o', 'jsonpath={.items[*].spec.clusterIP}']).split(' ');
    assert.deepEqual(ips.map((ip) => Number(ip.split('.')[3])).sort((a, b) => a - b), Array.from({ length: 14 }, (_, i) => i + 1));
    const full = s.kubectl(['create', 'service', 'clusterip', 's12', '--tcp=80']);
    assert.notEqual(full.code, 0);
    assert.match(full.stderr, /Internal error occurred: failed to allocate a serviceIP: range is full/);
  });

  it('a /29 is refused at start: it cannot hold kube-dns', () => {
    const p = spawnSync(tugBin, ['server', '--service-cidr', '10.96.0.0/29', '--data-dir', '/nonexistent-tug-dir'], { encoding: 'utf8' });
    assert.equal(p.status, 1);
    assert.match(p.stderr.trim(), /^tug: invalid --service-cidr "10\.96\.0\.0\/29": too small to hold kube-dns's address/);
  });
});

describe('two tug servers over one etcd', { timeout: 120_000 }, () => {
  let etcd: EtcdServer | undefined;
  let a: TugServer | undefined;
  let b: TugServer | undefined;

  before(async () => {
    etcd = await startEtcd();
    a = await startTugServer({ datastoreEndpoint: `etcd://${etcd.endpoint}`, extraArgs: ['--advertise-address', '127.0.0.11'] });
    // The second server shares the first one's CA (as test/e2e/ha-etcd.test.ts does).
    const dirB = mkdtempSync(join(tmpdir(), 'tug-e2e-b-'));
    mkdirSync(join(dirB, 'tls'), { mode: 0o700 });
    for (const f of ['ca.crt', 'ca.key']) copyFileSync(join(a.dataDir, 'tls', f), join(dirB, 'tls', f));
    b = await startTugServer({ datastoreEndpoint: `etcd://${etcd.endpoint}`, dataDir: dirB, extraArgs: ['--advertise-address', '127.0.0.12'] });
  });
  after(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await etcd?.stop();
  });

  it('40 concurrent creates, half through each server, get 40 distinct addresses', async () => {
    const made = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const server = i % 2 ? b! : a!;
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `c${i}` }, spec: { ports: [{ port: 80 }] } });
      const r = await server.request('POST', '/api/v1/namespaces/default/services', { body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(r.status, 201, r.body);
      return r.json().spec.clusterIP as string;
    }));
    assert.equal(new Set(made).size, 40);
    for (const ip of made) assert.ok(inServiceCIDR(ip) && ip !== '10.43.0.1', ip);
    // Each server reads the other's allocations.
    const viaB = jsonpath(b!, ['svc', '-o', 'jsonpath={.items[*].spec.clusterIP}']).split(' ');
    for (const ip of made) assert.ok(viaB.includes(ip), ip);
  });

  it('the kubernetes endpoints list both servers', () => {
    assert.equal(jsonpath(a!, ['endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[*].ip}']), '127.0.0.11 127.0.0.12');
  });
});
