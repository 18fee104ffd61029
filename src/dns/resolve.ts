/**
 * @module The answers of CoreDNS's kubernetes plugin (the "Kubernetes DNS-Based Service
 * Discovery" spec 1.1.0 plus CoreDNS's extensions), computed from a RecordIndex: services,
 * headless endpoints, SRV, ExternalName CNAMEs, pod records, PTR, and NXDOMAIN/NODATA with the
 * zone's SOA. Names outside the zone (and reverse names it does not know) are for the upstream.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Answer } from 'dns-packet';
import { canonicalIPv6, type RecordIndex, type ServiceEntry } from './record-index.js';
import { QType, RCode, type Reply } from './wire.js';

/** CoreDNS kubernetes plugin's defaultTTL (kubeadm's Corefile raises it to 30 with `ttl 30`). */
export const DefaultTTL = 5;
/** The version the spec's dns-version TXT record reports, and its TTL, as CoreDNS's. */
const SchemaVersion = '1.1.0';
const SchemaVersionTTL = 28800;
/** How many in-zone CNAMEs are followed before giving up. */
const MaxChase = 8;

export interface ZoneOptions {
  /** The cluster domain, lower case, no trailing dot ("cluster.local"). */
  zone: string;
  ttl?: number;
  /** This server's address, the A record of ns.dns.<zone> (the zone's NS). */
  nsAddress?: string;
}

/** Not ours to answer: ask the upstream servers. */
export const Forward = Symbol('forward');
export type Resolution = Reply | typeof Forward;

/** Answers a (lower-cased, dot-less) name and type from the index, or says to forward it. */
export function resolve(index: RecordIndex, name: string, type: number, o: ZoneOptions, depth = 0): Resolution {
  if (name === o.zone || name.endsWith(`.${o.zone}`)) return inZone(index, name, type, o, depth);
  const ip = reverseIP(name);
  if (ip && type === QType.PTR) {
    const names = index.reverse(ip);
    // CoreDNS's `fallthrough in-addr.arpa ip6.arpa`: addresses it does not know go upstream.
    if (names.length) return reply(names.map((n) => ({ type: 'PTR', name, ttl: ttlOf(o), data: `${n}.${o.zone}` })));
  }
  return Forward;
}

function inZone(index: RecordIndex, name: string, type: number, o: ZoneOptions, depth: number): Reply {
  const ttl = ttlOf(o);
  const base = name === o.zone ? '' : name.slice(0, -(o.zone.length + 1));
  const nodata = () => negative(index, o, RCode.NOERROR);
  const nxdomain = () => negative(index, o, RCode.NXDOMAIN);
  const segs = base ? base.split('.') : [];

  if (segs.length === 0) {
    if (type === QType.SOA) return reply([soa(index, o)]);
    if (type === QType.NS) {
      const ns = `ns.dns.${o.zone}`;
      return { ...reply([{ type: 'NS', name, ttl, data: ns }]), additionals: o.nsAddress ? [addressRecord(ns, o.nsAddress, ttl)] : [] };
    }
    return nodata();
  }
  if (base === 'dns-version') return type === QType.TXT ? reply([{ type: 'TXT', name, ttl: SchemaVersionTTL, data: SchemaVersion }]) : nodata();
  if (base === 'ns.dns' && o.nsAddress) return type === familyType(o.nsAddress) ? reply([addressRecord(name, o.nsAddress, ttl)]) : nodata();

  const kind = segs[segs.length - 1];
  if (kind !== 'svc' && kind !== 'pod') return nxdomain();
  if (segs.length === 1) return nodata();
  const namespace = segs[segs.length - 2]!;
  if (!index.namespaceExists(namespace)) return nxdomain();
  if (segs.length === 2) return nodata();
  const rest = segs.slice(0, -2);

  if (kind === 'pod') {
    // `pods insecure`: any well-formed dashed address answers with itself.
    const ip = rest.length === 1 ? podIP(rest[0]!) : undefined;
    if (!ip) return nxdomain();
    return type === familyType(ip) ? reply([addressRecord(name, ip, ttl)]) : nodata();
  }

  const svc = index.service(namespace, rest[rest.length - 1]!);
  const extra = rest.slice(0, -1);
  if (!svc || extra.length > 2) return nxdomain();
  const svcName = `${svc.name}.${svc.namespace}.svc.${o.zone}`;

  if (svc.externalName !== undefined) {
    if (extra.length) return nxdomain();
    if (type !== QType.A && type !== QType.AAAA && type !== QType.CNAME) return nodata();
    const cname: Answer = { type: 'CNAME', name, ttl, data: svc.externalName };
    const target = svc.externalName;
    // Only a target in the cluster domain is ours to follow; the client resolves the rest.
    if (type !== QType.CNAME && depth < MaxChase && (target === o.zone || target.endsWith(`.${o.zone}`))) {
      const chased = inZone(index, target, type, o, depth + 1);
      return { ...chased, answers: [cname, ...chased.answers] };
    }
    return reply([cname]);
  }

  const targets = serviceTargets(index, svc, svcName, extra);
  if (!targets.length) return nxdomain();

  if (type === QType.A || type === QType.AAAA) {
    const ips = [...new Set(targets.map((t) => t.ip))].filter((ip) => familyType(ip) === type);
    return ips.length ? reply(ips.map((ip) => addressRecord(name, ip, ttl))) : nodata();
  }
  if (type === QType.SRV) {
    const seen = new Set<string>();
    const srv = targets.filter((t) => t.port !== undefined && !seen.has(`${t.target}:${t.port}`) && seen.add(`${t.target}:${t.port}`));
    if (!srv.length) return nodata();
    // CoreDNS's weight: 100 split evenly over the records of one priority, at least 1.
    const weight = Math.max(1, Math.floor(100 / srv.length));
    const extraSeen = new Set<string>();
    const additionals = srv.filter((t) => !extraSeen.has(t.target + t.ip) && extraSeen.add(t.target + t.ip))
      .map((t) => addressRecord(t.target, t.ip, ttl));
    return {
      ...reply(srv.map((t) => ({ type: 'SRV', name, ttl, data: { priority: 0, weight, port: t.port!, target: t.target } }))),
      additionals,
    };
  }
  return nodata();
}

interface Target { ip: string; port?: number; target: string }

/**
 * What a service name stands for, as CoreDNS's findServices: for a headless service or an
 * endpoint name ("host.svc.ns…"), each endpoint address; else the cluster IPs. `extra` is
 * [] (the service), [endpoint hostname], or [_port, _proto] (named port; "_" optional).
 */
function serviceTargets(index: RecordIndex, svc: ServiceEntry, svcName: string, extra: string[]): Target[] {
  const portName = extra.length === 2 ? stripUnderscore(extra[0]!) : undefined;
  const proto = extra.length === 2 ? stripUnderscore(extra[1]!) : undefined;
  const matches = (p: { name: string; protocol: string }) => (portName === undefined || p.name === portName) && (proto === undefined || p.protocol === proto);
  const out: Target[] = [];
  if (svc.headless || extra.length === 1) {
    for (const slice of index.endpoints(svc)) {
      const ports = slice.ports.filter(matches);
      if (portName !== undefined && !ports.length) continue;
      for (const a of slice.addresses) {
        if (extra.length === 1 && a.hostname !== extra[0]) continue;
        const target = `${a.hostname}.${svcName}`;
        // A slice without ports still names its addresses (CoreDNS's port -1 sentinel).
        if (!ports.length) out.push({ ip: a.ip, target });
        for (const p of ports) out.push({ ip: a.ip, port: p.port, target });
      }
    }
    return out;
  }
  for (const p of svc.ports.filter(matches)) for (const ip of svc.clusterIPs) out.push({ ip, port: p.port, target: svcName });
  return out;
}

const stripUnderscore = (s: string) => (s.startsWith('_') ? s.slice(1) : s);
const ttlOf = (o: ZoneOptions) => o.ttl ?? DefaultTTL;
const familyType = (ip: string) => (isIPv4(ip) ? QType.A : QType.AAAA);

function addressRecord(name: string, ip: string, ttl: number): Answer {
  return isIPv4(ip) ? { type: 'A', name, ttl, data: ip } : { type: 'AAAA', name, ttl, data: ip };
}

function reply(answers: Answer[]): Reply {
  return { rcode: RCode.NOERROR, authoritative: true, answers, authorities: [], additionals: [] };
}

/** NXDOMAIN, or NODATA (NOERROR, nothing), with the zone's SOA for negative caching (RFC 2308). */
function negative(index: RecordIndex, o: ZoneOptions, rcode: number): Reply {
  return { rcode, authoritative: true, answers: [], authorities: [soa(index, o)], additionals: [] };
}

/** The zone's SOA as CoreDNS writes it: ns.dns.<zone>, hostmaster.<zone>, serial = last change. */
function soa(index: RecordIndex, o: ZoneOptions): Answer {
  const ttl = ttlOf(o);
  return {
    type: 'SOA', name: o.zone, ttl,
    data: { mname: `ns.dns.${o.zone}`, rname: `hostmaster.${o.zone}`, serial: index.modified >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl },
  };
}

/** "1-2-3-4" → 1.2.3.4, "fd00--1" → fd00::1, as CoreDNS's findPods; undefined when not an address. */
function podIP(label: string): string | undefined {
  const v4 = (label.match(/-/g) ?? []).length === 3 && !label.includes('--');
  const ip = v4 ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return isIPv4(ip) || isIPv6(ip) ? ip : undefined;
}

/** The address a reverse name stands for (d.c.b.a.in-addr.arpa, 32 nibbles.ip6.arpa), else undefined. */
export function reverseIP(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    const ip = parts.reverse().join('.');
    return parts.length === 4 && isIPv4(ip) ? ip : undefined;
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    return canonicalIPv6(hex.match(/.{4}/g)!.join(':'));
  }
  return undefined;
}
