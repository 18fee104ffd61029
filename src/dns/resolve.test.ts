/** @module The record index and the answers computed from it, without sockets: table-driven. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../client/client.js';
import { RecordIndex } from './record-index.js';
import { Forward, resolve, reverseIP } from './resolve.js';
import { QType, RCode } from './wire.js';

const zone = { zone: 'cluster.local', nsAddress: '10.42.0.1' };

function svc(name: string, spec: Obj, namespace = 'default'): Obj {
  return { metadata: { name, namespace }, spec };
}
function slice(name: string, service: string, endpoints: Obj[], ports: Obj[] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): Obj {
  return { metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports };
}

function index(): RecordIndex {
  const ix = new RecordIndex();
  ix.setNamespace({ metadata: { name: 'default' } });
  ix.setService(svc('web', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 81, protocol: 'UDP' }] }));
  ix.setService(svc('db', { clusterIP: 'None', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }));
  ix.setService(svc('pub', { clusterIP: 'None', publishNotReadyAddresses: true }));
  ix.setService(svc('empty', { clusterIP: 'None' }));
  ix.setService(svc('ext', { type: 'ExternalName', externalName: 'Example.ORG.' }));
  // The headless service's endpoints span two slices (as one per node does).
  ix.setSlice(slice('db-a', 'db', [{ addresses: ['10.42.0.5'], hostname: 'db-0' }, { addresses: ['10.42.0.7'], conditions: { ready: false } }]));
  ix.setSlice(slice('db-b', 'db', [{ addresses: ['10.42.1.6'], conditions: { ready: true } }]));
  ix.setSlice(slice('pub-a', 'pub', [{ addresses: ['10.42.0.9'], conditions: { ready: false } }], []));
  return ix;
}

const cases: { name: string; q: string; type: number; rcode: number; want: string[] }[] = [
  { name: 'a service name is its cluster IP', q: 'web.default.svc.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: ['A 10.43.0.20'] },
  { name: 'AAAA of an IPv4 service is NODATA', q: 'web.default.svc.cluster.local', type: QType.AAAA, rcode: RCode.NOERROR, want: [] },
  { name: 'TXT of a service is NODATA', q: 'web.default.svc.cluster.local', type: QType.TXT, rcode: RCode.NOERROR, want: [] },
  { name: 'a headless service is its ready endpoints across slices', q: 'db.default.svc.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: ['A 10.42.0.5', 'A 10.42.1.6'] },
  { name: 'not-ready endpoints count with publishNotReadyAddresses, also without ports', q: 'pub.default.svc.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: ['A 10.42.0.9'] },
  { name: 'a headless service without endpoints is NXDOMAIN (as CoreDNS)', q: 'empty.default.svc.cluster.local', type: QType.A, rcode: RCode.NXDOMAIN, want: [] },
  { name: 'an endpoint hostname', q: 'db-0.db.default.svc.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: ['A 10.42.0.5'] },
  { name: 'a dashed-IP endpoint name', q: '10-42-1-6.db.default.svc.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: ['A 10.42.1.6'] },
  { name: 'a not-ready endpoint has no name', q: '10-42-0-7.db.default.svc.cluster.local', type: QType.A, rcode: RCode.NXDOMAIN, want: [] },
  { name: 'SRV of a named port of a ClusterIP service', q: '_http._tcp.web.default.svc.cluster.local', type: QType.SRV, rcode: RCode.NOERROR, want: ['SRV 0 100 80 web.default.svc.cluster.local'] },
  { name: 'SRV of the service name lists every port', q: 'web.default.svc.cluster.local', type: QType.SRV, rcode: RCode.NOERROR,
    want: ['SRV 0 50 80 web.default.svc.cluster.local', 'SRV 0 50 81 web.default.svc.cluster.local'] },
  { name: 'SRV of a headless named port: one per endpoint', q: '_http._tcp.db.default.svc.cluster.local', type: QType.SRV, rcode: RCode.NOERROR,
    want: ['SRV 0 50 8080 10-42-1-6.db.default.svc.cluster.local', 'SRV 0 50 8080 db-0.db.default.svc.cluster.local'] },
  { name: 'SRV with the wrong protocol is NXDOMAIN', q: '_http._udp.web.default.svc.cluster.local', type: QType.SRV, rcode: RCode.NXDOMAIN, want: [] },
  { name: 'ExternalName is a CNAME to the lower-cased name', q: 'ext.default.svc.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: ['CNAME example.org'] },
  { name: 'ExternalName has no SRV', q: 'ext.default.svc.cluster.local', type: QType.SRV, rcode: RCode.NOERROR, want: [] },
  { name: 'an unknown service is NXDOMAIN', q: 'nope.default.svc.cluster.local', type: QType.A, rcode: RCode.NXDOMAIN, want: [] },
  { name: 'an unknown namespace is NXDOMAIN', q: 'web.other.svc.cluster.local', type: QType.A, rcode: RCode.NXDOMAIN, want: [] },
  { name: 'a namespace name is NODATA', q: 'default.svc.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: [] },
  { name: 'svc.<zone> is NODATA', q: 'svc.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: [] },
  { name: 'a name of neither svc nor pod is NXDOMAIN', q: 'web.default.foo.cluster.local', type: QType.A, rcode: RCode.NXDOMAIN, want: [] },
  { name: 'too many labels is NXDOMAIN', q: 'a.b.c.web.default.svc.cluster.local', type: QType.A, rcode: RCode.NXDOMAIN, want: [] },
  { name: 'a pod record answers its dashed address', q: '10-42-0-5.default.pod.cluster.local', type: QType.A, rcode: RCode.NOERROR, want: ['A 10.42.0.5'] },
  { name: 'a pod record needs an address', q: '10-42-0.default.pod.cluster.local', type: QType.A, rcode: RCode.NXDOMAIN, want: [] },
  { name: 'the apex SOA', q: 'cluster.local', type: QType.SOA, rcode: RCode.NOERROR, want: ['SOA ns.dns.cluster.local hostmaster.cluster.local'] },
  { name: 'the apex NS', q: 'cluster.local', type: QType.NS, rcode: RCode.NOERROR, want: ['NS ns.dns.cluster.local'] },
  { name: 'the schema version', q: 'dns-version.cluster.local', type: QType.TXT, rcode: RCode.NOERROR, want: ['TXT 1.1.0'] },
  { name: 'PTR of a cluster IP', q: '20.0.43.10.in-addr.arpa', type: QType.PTR, rcode: RCode.NOERROR, want: ['PTR web.default.svc.cluster.local'] },
  { name: 'PTR of a headless endpoint', q: '5.0.42.10.in-addr.arpa', type: QType.PTR, rcode: RCode.NOERROR, want: ['PTR db-0.db.default.svc.cluster.local'] },
];

const show = (a: any): string => {
  switch (a.type) {
    case 'SRV': return `SRV ${a.data.priority} ${a.data.weight} ${a.data.port} ${a.data.target}`;
    case 'SOA': return `SOA ${a.data.mname} ${a.data.rname}`;
    default: return `${a.type} ${a.data}`;
  }
};

for (const c of cases) {
  test(c.name, () => {
    const r = resolve(index(), c.q, c.type, zone);
    assert.notEqual(r, Forward);
    if (r === Forward) return;
    assert.equal(r.rcode, c.rcode);
    assert.deepEqual(r.answers.map(show).sort(), c.want);
    // Negative answers carry the SOA for negative caching; positive ones do not.
    assert.equal(r.authorities.length, c.want.length ? 0 : 1);
    for (const a of r.answers as { type: string; ttl?: number }[]) assert.equal(a.ttl, a.type === 'TXT' ? 28800 : 5);
  });
}

test('names outside the zone, and unknown reverse names, are forwarded', () => {
  const ix = index();
  assert.equal(resolve(ix, 'example.com', QType.A, zone), Forward);
  assert.equal(resolve(ix, '1.1.168.192.in-addr.arpa', QType.PTR, zone), Forward);
  assert.equal(resolve(ix, 'cluster.local.example.com', QType.A, zone), Forward);
});

test('deletes and updates reach the answers, and each change bumps the generation', () => {
  const ix = index();
  const g = ix.generation;
  ix.setService(svc('web', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [] }));
  ix.deleteSlice({ metadata: { name: 'db-a', namespace: 'default' } });
  assert.ok(ix.generation > g);
  const db = resolve(ix, 'db.default.svc.cluster.local', QType.A, zone);
  assert.deepEqual(db !== Forward && db.answers.map(show), ['A 10.42.1.6']);
  // A slice moved to another service leaves the first one.
  ix.setSlice(slice('db-b', 'pub', [{ addresses: ['10.42.1.6'] }]));
  assert.equal((resolve(ix, 'db.default.svc.cluster.local', QType.A, zone) as any).rcode, RCode.NXDOMAIN);
  ix.deleteService({ metadata: { name: 'web', namespace: 'default' } });
  assert.equal((resolve(ix, 'web.default.svc.cluster.local', QType.A, zone) as any).rcode, RCode.NXDOMAIN);
  assert.equal(resolve(ix, '20.0.43.10.in-addr.arpa', QType.PTR, zone), Forward);
});

test('reverse names: IPv4 and IPv6 nibbles', () => {
  assert.equal(reverseIP('4.3.2.1.in-addr.arpa'), '1.2.3.4');
  assert.equal(reverseIP('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa'), 'fd00::1');
  assert.equal(reverseIP('3.2.1.in-addr.arpa'), undefined);
});
