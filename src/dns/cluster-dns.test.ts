/**
 * @module startClusterDNS on 127.0.0.1 against an in-process API (SQLite), queried with node's
 * resolver (c-ares) and raw dns-packet messages over UDP and TCP; forwarding goes to a fake
 * upstream on loopback only.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { after, before, test } from 'node:test';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import { pino } from 'pino';
import { startInProcess, type InProcessCluster } from '../../test/support/in-process.js';
import { waitFor } from '../../test/support/wait-for.js';
import type { Client, Obj } from '../client/client.js';
import { ref } from '../client/kind-ref.js';
import { ensureKubeDNSService, startClusterDNS, type ClusterDNS } from './index.js';

let cluster: InProcessCluster;
let client: Client;
let dns: ClusterDNS;
let upstream: dgram.Socket;
let upstreamQueries: string[] = [];
let resolver: Resolver;

const svcRef = ref('Service', 'default');
const sliceRef = ref('EndpointSlice', 'default', 'discovery.k8s.io/v1');

function service(name: string, spec: Obj): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec };
}

function slice(name: string, service: string, endpoints: Obj[], ports: Obj[] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, endpoints, ports,
  };
}

before(async () => {
  cluster = await startInProcess();
  client = cluster.client();
  // A fake upstream on loopback: answers every A query with 192.0.2.1, and "fail.example" not at all.
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const name = q.questions![0].name;
    upstreamQueries.push(name);
    if (name === 'fail.example') return;
    upstream.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: q.questions, answers: [{ type: 'A', name, ttl: 60, data: '192.0.2.1' }] }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));

  await client.create(svcRef, service('web', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] }));
  await client.create(svcRef, service('db', { clusterIP: 'None', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }));
  await client.create(sliceRef, slice('db-1', 'db', [
    { addresses: ['10.42.0.5'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.42.0.6'], conditions: { ready: true } },
    { addresses: ['10.42.0.7'], conditions: { ready: false } },
  ]));
  await client.create(svcRef, service('ext', { type: 'ExternalName', externalName: 'example.org' }));
  await client.create(svcRef, service('alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }));

  dns = await startClusterDNS({
    client, host: '127.0.0.1', port: 0, log: pino({ level: 'silent' }),
    upstream: [`127.0.0.1:${(upstream.address()).port}`],
  });
  await dns.ready;
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dns.port}`]);
});

after(async () => {
  await dns?.stop();
  upstream?.close();
  await cluster?.close();
});

/** A decoded response (dns-packet's types leave out rcode and a record's data). */
type Rec = { type: string; name: string; data: any };
type Msg = Omit<DecodedPacket, 'answers' | 'authorities' | 'additionals'> & { rcode: string; answers: Rec[]; authorities: Rec[]; additionals: Rec[] };

/** One query over UDP (or TCP), decoded. */
async function query(name: string, type: string, opts: { tcp?: boolean; edns?: number; timeoutMs?: number } = {}): Promise<Msg> {
  const msg = dnsPacket.encode({
    type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as any, name }],
    additionals: opts.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns } as Answer] : [],
  });
  return dnsPacket.decode(opts.tcp ? await exchangeTCP(msg) : await exchangeUDP(msg, opts.timeoutMs ?? 2000)) as Msg;
}

function exchangeUDP(msg: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('no UDP answer')); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, dns.port, '127.0.0.1');
  });
}

function exchangeTCP(msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(dns.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { s.destroy(); resolve(buf.subarray(2, 2 + buf.readUInt16BE(0))); }
    });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    s.write(Buffer.concat([len, msg]));
  });
}

test('a ClusterIP service resolves to its cluster IP, with TTL 5, over UDP and TCP', async () => {
  assert.deepEqual(await resolver.resolve4('web.default.svc.cluster.local', { ttl: true }), [{ address: '10.43.0.20', ttl: 5 }]);
  const tcp = await query('web.default.svc.cluster.local', 'A', { tcp: true });
  assert.equal(tcp.rcode, 'NOERROR');
  assert.equal(tcp.flag_aa, true);
  assert.deepEqual(tcp.answers.map((a) => a.data), ['10.43.0.20']);
});

test('AAAA of an IPv4-only service is an empty NOERROR with the SOA', async () => {
  const r = await query('web.default.svc.cluster.local', 'AAAA');
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.answers.length, 0);
  assert.equal(r.authorities![0].type, 'SOA');
});

test('a headless service resolves to its ready endpoints only', async () => {
  assert.deepEqual((await resolver.resolve4('db.default.svc.cluster.local')).sort(), ['10.42.0.5', '10.42.0.6']);
  assert.deepEqual(await resolver.resolve4('db-0.db.default.svc.cluster.local'), ['10.42.0.5']);
  assert.deepEqual(await resolver.resolve4('10-42-0-6.db.default.svc.cluster.local'), ['10.42.0.6']);
  await assert.rejects(resolver.resolve4('10-42-0-7.db.default.svc.cluster.local'), { code: 'ENOTFOUND' });
});

test('SRV of a named port: the service name for ClusterIP, each endpoint for headless', async () => {
  assert.deepEqual(await resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local'),
    [{ name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
  const headless = await resolver.resolveSrv('_http._tcp.db.default.svc.cluster.local');
  assert.deepEqual(headless.map((s) => `${s.name}:${s.port}:${s.weight}`).sort(),
    ['10-42-0-6.db.default.svc.cluster.local:8080:50', 'db-0.db.default.svc.cluster.local:8080:50']);
  const raw = await query('_http._tcp.db.default.svc.cluster.local', 'SRV');
  assert.deepEqual(raw.additionals.map((a) => `${a.name} ${a.data}`).sort(),
    ['10-42-0-6.db.default.svc.cluster.local 10.42.0.6', 'db-0.db.default.svc.cluster.local 10.42.0.5']);
  await assert.rejects(resolver.resolveSrv('_nope._tcp.web.default.svc.cluster.local'), { code: 'ENOTFOUND' });
});

test('PTR of a cluster IP and of a headless endpoint', async () => {
  assert.deepEqual(await resolver.reverse('10.43.0.20'), ['web.default.svc.cluster.local']);
  assert.deepEqual(await resolver.reverse('10.42.0.5'), ['db-0.db.default.svc.cluster.local']);
});

test('an ExternalName service is a CNAME, followed only inside the cluster domain', async () => {
  const ext = await query('ext.default.svc.cluster.local', 'A');
  assert.deepEqual(ext.answers.map((a) => `${a.type} ${a.data}`), ['CNAME example.org']);
  const alias = await query('alias.default.svc.cluster.local', 'A');
  assert.deepEqual(alias.answers.map((a) => `${a.type} ${a.name} ${a.data}`),
    ['CNAME alias.default.svc.cluster.local web.default.svc.cluster.local', 'A web.default.svc.cluster.local 10.43.0.20']);
});

test('unknown cluster names are NXDOMAIN with the SOA and are never forwarded', async () => {
  upstreamQueries = [];
  for (const name of ['nope.default.svc.cluster.local', 'web.nonamespace.svc.cluster.local', 'x.cluster.local']) {
    const r = await query(name, 'A');
    assert.equal(r.rcode, 'NXDOMAIN', name);
    assert.equal(r.authorities![0].type, 'SOA');
    assert.equal(r.authorities[0].data.mname, 'ns.dns.cluster.local');
  }
  assert.equal((await query('default.svc.cluster.local', 'A')).rcode, 'NOERROR');
  assert.deepEqual(upstreamQueries, []);
});

test('pod records answer a dashed address in an existing namespace', async () => {
  assert.deepEqual(await resolver.resolve4('10-42-1-9.default.pod.cluster.local'), ['10.42.1.9']);
  await assert.rejects(resolver.resolve4('not-an-ip.default.pod.cluster.local'), { code: 'ENOTFOUND' });
});

test('a service created after start resolves within a second; a deleted one stops', async () => {
  const start = Date.now();
  await client.create(svcRef, service('late', { clusterIP: '10.43.0.21', ports: [{ port: 80, protocol: 'TCP' }] }));
  await waitFor(async () => (await query('late.default.svc.cluster.local', 'A')).answers?.[0]?.data === '10.43.0.21', 'late service', 1000);
  assert.ok(Date.now() - start < 1000);
  await client.delete(svcRef, 'late');
  await waitFor(async () => (await query('late.default.svc.cluster.local', 'A')).rcode === 'NXDOMAIN', 'late service gone', 1000);
});

test('other names go to the upstream; SERVFAIL when it does not answer', async () => {
  assert.deepEqual(await resolver.resolve4('www.example.com'), ['192.0.2.1']);
  assert.ok(upstreamQueries.includes('www.example.com'));
  // The upstream is tried for 2 s, then the client hears SERVFAIL.
  const r = await query('fail.example', 'A', { timeoutMs: 5000 });
  assert.equal(r.rcode, 'SERVFAIL');
});

test('a UDP answer over 512 bytes without EDNS is truncated; with EDNS or over TCP it is whole', async () => {
  const endpoints = Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.42.3.${i + 1}`], conditions: { ready: true } }));
  await client.create(svcRef, service('big', { clusterIP: 'None', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }));
  await client.create(sliceRef, slice('big-1', 'big', endpoints));
  await waitFor(async () => (await query('big.default.svc.cluster.local', 'A', { tcp: true })).answers?.length === 60, 'big service');
  const udp = await query('big.default.svc.cluster.local', 'A');
  assert.equal(udp.flag_tc, true);
  assert.ok(udp.answers.length > 0 && udp.answers.length < 60);
  const edns = await query('big.default.svc.cluster.local', 'A', { edns: 4096 });
  assert.equal(edns.flag_tc, false);
  assert.equal(edns.answers.length, 60);
  // c-ares retries over TCP on TC and gets all of them.
  assert.equal((await resolver.resolve4('big.default.svc.cluster.local')).length, 60);
});

test('bad packets are dropped or answered FORMERR, and the server keeps answering', async () => {
  const s = dgram.createSocket('udp4');
  try {
    const replies: Buffer[] = [];
    s.on('message', (m) => replies.push(m));
    const bad = [
      Buffer.from([1, 2, 3]),
      Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 200, 1, 2]), // a label longer than the packet
      Buffer.from([0, 2, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]), // two questions claimed
    ];
    for (const b of bad) s.send(b, dns.port, '127.0.0.1');
    await waitFor(() => replies.length === 2, 'FORMERR replies', 2000);
    for (const r of replies) assert.equal(r.readUInt16BE(2) & 0xf, 1);
  } finally {
    s.close();
  }
  assert.deepEqual(await resolver.resolve4('web.default.svc.cluster.local'), ['10.43.0.20']);
});

test('kube-dns itself resolves, with SRV for dns/udp and dns-tcp/tcp', async () => {
  await ensureKubeDNSService(client, '10.43.0.10');
  await waitFor(async () => (await query('kube-dns.kube-system.svc.cluster.local', 'A')).answers[0]?.data === '10.43.0.10', 'kube-dns', 1000);
  const srv = await resolver.resolveSrv('_dns._udp.kube-dns.kube-system.svc.cluster.local');
  assert.deepEqual(srv, [{ name: 'kube-dns.kube-system.svc.cluster.local', port: 53, priority: 0, weight: 100 }]);
  assert.equal((await resolver.resolveSrv('_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local'))[0]?.port, 53);
});
