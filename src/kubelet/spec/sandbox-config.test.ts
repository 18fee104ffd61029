/**
 * @module PodSandboxConfig from pods: metadata, labels, hostname (none for hostNetwork), log
 * directory, port mappings, cgroup parent by QoS, namespaces, security context and DNS.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { buildSandboxConfig } from './sandbox-config.js';

const o = { logRoot: '/var/log/pods', cgroupRoot: '/tugboat', dns: { resolvConf: '' } };
const pod = (spec: Obj = {}, meta: Obj = {}): Obj => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { a: '1' }, ...meta },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const guaranteed = { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } };

test('metadata, labels, annotations, hostname and log directory', () => {
  const cfg = buildSandboxConfig(pod(), { ...o, attempt: 2 });
  assert.deepEqual(cfg.metadata, { name: 'web', namespace: 'shop', uid: 'u-1', attempt: 2 });
  assert.deepEqual(cfg.labels, { app: 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': 'u-1' });
  assert.deepEqual(cfg.annotations, { a: '1' });
  assert.equal(cfg.hostname, 'web');
  assert.equal(cfg.logDirectory, '/var/log/pods/shop_web_u-1');
  assert.equal(cfg.portMappings, undefined);
});

test('hostNetwork: no hostname, node network namespace; hostPID and hostIPC', () => {
  const cfg = buildSandboxConfig(pod({ hostNetwork: true, hostPID: true, hostIPC: true }), o);
  assert.equal(cfg.hostname, '');
  assert.deepEqual(cfg.linux?.securityContext?.namespaceOptions, { network: 'NODE', pid: 'NODE', ipc: 'NODE' });
  const plain = buildSandboxConfig(pod(), o);
  assert.deepEqual(plain.linux?.securityContext?.namespaceOptions, { network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
  const shared = buildSandboxConfig(pod({ shareProcessNamespace: true }), o);
  assert.equal(shared.linux?.securityContext?.namespaceOptions?.pid, 'POD');
});

test('hostname: spec.hostname, cut to 63 characters, FQDN when asked', () => {
  assert.equal(buildSandboxConfig(pod({ hostname: 'h1' }), o).hostname, 'h1');
  const long = `${'a'.repeat(62)}-b`;
  assert.equal(buildSandboxConfig(pod({}, { name: `${long}c` }), o).hostname, 'a'.repeat(62));
  const fqdn = pod({ hostname: 'h1', subdomain: 'sub', setHostnameAsFQDN: true });
  assert.equal(buildSandboxConfig(fqdn, o).hostname, 'h1.sub.shop.svc.cluster.local');
  assert.throws(() => buildSandboxConfig(pod({ hostname: 'Not_A_Label' }), o), /pod Hostname "Not_A_Label" is not a valid DNS label/);
});

test('port mappings from every container port, hostPort where set, duplicates by name dropped', () => {
  const cfg = buildSandboxConfig(pod({ containers: [
    { name: 'a', ports: [{ name: 'http', containerPort: 80, hostPort: 8080, protocol: 'TCP' }, { name: 'http', containerPort: 81 },
      { containerPort: 53, protocol: 'UDP', hostPort: 5353, hostIP: '127.0.0.1' }] },
    { name: 'b', ports: [{ name: 'http', containerPort: 9000 }] },
  ] }), o);
  assert.deepEqual(cfg.portMappings, [
    { protocol: 'TCP', containerPort: 80, hostPort: 8080 },
    { protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '127.0.0.1' },
    { protocol: 'TCP', containerPort: 9000 },
  ]);
});

test('cgroup parent by QoS: Guaranteed under the root, else burstable/besteffort', () => {
  const parent = (p: Obj) => buildSandboxConfig(p, o).linux?.cgroupParent;
  assert.equal(parent(pod()), '/tugboat/besteffort/podu-1');
  assert.equal(parent(pod({ containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] })), '/tugboat/burstable/podu-1');
  assert.equal(parent(pod({ containers: [{ name: 'c', ...guaranteed }] })), '/tugboat/podu-1');
  assert.equal(buildSandboxConfig(pod(), { ...o, cgroupRoot: '/' }).linux?.cgroupParent, '/besteffort/podu-1');
});

test('sandbox security context: pod runAsUser/Group, groups, privileged when any container is, sysctls', () => {
  const cfg = buildSandboxConfig(pod({
    securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000], sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
    containers: [{ name: 'a' }, { name: 'b', securityContext: { privileged: true } }],
  }), o);
  assert.deepEqual(cfg.linux?.securityContext, {
    namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' }, privileged: true,
    runAsUser: { value: 1000 }, runAsGroup: { value: 3000 }, supplementalGroups: [2000, 4000],
  });
  assert.deepEqual(cfg.linux?.sysctls, { 'net.core.somaxconn': '1024' });
});

test('DNS: ClusterFirst uses the cluster servers and searches; Default the host; None and dnsConfig', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tug-dns-'));
  try {
    const resolvConf = join(dir, 'resolv.conf');
    await writeFile(resolvConf, '# host\nnameserver 192.0.2.53\nsearch corp.example.\noptions ndots:2 edns0\n');
    const dns = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', resolvConf };
    const dnsOf = (p: Obj, d: Obj = dns) => buildSandboxConfig(p, { ...o, dns: d }).dnsConfig;
    assert.deepEqual(dnsOf(pod({ dnsPolicy: 'ClusterFirst' })),
      { servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] });
    assert.deepEqual(dnsOf(pod({ dnsPolicy: 'Default' })), { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['ndots:2', 'edns0'] });
    assert.deepEqual(dnsOf(pod({ dnsPolicy: 'ClusterFirst', hostNetwork: true }))?.servers, ['192.0.2.53']);
    assert.deepEqual(dnsOf(pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }))?.servers, ['10.96.0.10']);
    assert.deepEqual(dnsOf(pod({ dnsPolicy: 'ClusterFirst' }), { resolvConf })?.servers, ['192.0.2.53'], 'no cluster DNS: the host resolver');
    assert.deepEqual(dnsOf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'], options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } })),
      { servers: ['1.1.1.1'], searches: ['a.b'], options: ['ndots:1', 'rotate'] });
    assert.deepEqual(dnsOf(pod({ dnsPolicy: 'ClusterFirst', dnsConfig: { nameservers: ['10.96.0.10', '10.0.0.2'], options: [{ name: 'ndots', value: '2' }] } })),
      { servers: ['10.96.0.10', '10.0.0.2'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:2'] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a pod without a uid is a clear error', () => {
  assert.throws(() => buildSandboxConfig({ metadata: { name: 'x', namespace: 'y' }, spec: {} }, o), /pod has no metadata.uid/);
});
