/**
 * @module The in-memory view the cluster DNS answers from: services, their EndpointSlices and the
 * namespaces, kept by informer handlers and read on every query (never an API call per query).
 * Every change bumps `generation`, which invalidates the server's answer cache.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Obj } from '../client/client.js';

/** discovery.LabelServiceName: which service an EndpointSlice belongs to. */
export const ServiceNameLabel = 'kubernetes.io/service-name';

export interface ServicePort { name: string; port: number; protocol: string }

export interface ServiceEntry {
  namespace: string;
  name: string;
  /** Cluster IPs; empty for headless and ExternalName services. */
  clusterIPs: string[];
  headless: boolean;
  /** Set for type ExternalName (lower case, no trailing dot). */
  externalName?: string;
  ports: ServicePort[];
  publishNotReadyAddresses: boolean;
}

export interface EndpointAddress {
  ip: string;
  /** The endpoint's hostname, else its IP with dashes (CoreDNS's endpointHostname). */
  hostname: string;
  ready: boolean;
}

/** One EndpointSlice as DNS needs it: addresses and the ports they serve. */
export interface SliceEntry { addresses: EndpointAddress[]; ports: ServicePort[] }

const key = (namespace: string, name: string) => `${namespace}/${name}`;

export class RecordIndex {
  /** Bumped on every change; answers computed at an older generation are stale. */
  generation = 0;
  /** Unix seconds of the last change: the SOA serial, as CoreDNS's. */
  modified = Math.floor(Date.now() / 1000);
  private services = new Map<string, ServiceEntry>();
  /** Service key → slice name → slice. */
  private slices = new Map<string, Map<string, SliceEntry>>();
  /** Slice key → the service key it was filed under (its label may change). */
  private sliceOwner = new Map<string, string>();
  private namespaces = new Set<string>();
  /** Cluster IP → service key. */
  private byClusterIP = new Map<string, string>();

  setService(svc: Obj): void {
    const entry = toServiceEntry(svc);
    const k = key(entry.namespace, entry.name);
    this.removeClusterIPs(k);
    this.services.set(k, entry);
    for (const ip of entry.clusterIPs) this.byClusterIP.set(ip, k);
    this.changed();
  }

  deleteService(svc: Obj): void {
    const k = key(svc.metadata.namespace, svc.metadata.name);
    this.removeClusterIPs(k);
    this.services.delete(k);
    this.changed();
  }

  setSlice(slice: Obj): void {
    const sliceKey = key(slice.metadata.namespace, slice.metadata.name);
    this.deleteSliceKey(sliceKey);
    const svcName = slice.metadata.labels?.[ServiceNameLabel];
    if (svcName && slice.addressType !== 'FQDN') {
      const owner = key(slice.metadata.namespace, svcName);
      let m = this.slices.get(owner);
      if (!m) this.slices.set(owner, (m = new Map()));
      m.set(slice.metadata.name, toSliceEntry(slice));
      this.sliceOwner.set(sliceKey, owner);
    }
    this.changed();
  }

  deleteSlice(slice: Obj): void {
    this.deleteSliceKey(key(slice.metadata.namespace, slice.metadata.name));
    this.changed();
  }

  setNamespace(ns: Obj): void { this.namespaces.add(ns.metadata.name); this.changed(); }
  deleteNamespace(ns: Obj): void { this.namespaces.delete(ns.metadata.name); this.changed(); }

  namespaceExists(namespace: string): boolean { return this.namespaces.has(namespace); }

  service(namespace: string, name: string): ServiceEntry | undefined { return this.services.get(key(namespace, name)); }

  /** The service's slices; addresses not ready are left out unless the service publishes them. */
  endpoints(svc: ServiceEntry): SliceEntry[] {
    const m = this.slices.get(key(svc.namespace, svc.name));
    if (!m) return [];
    const out: SliceEntry[] = [];
    for (const s of m.values()) {
      const addresses = svc.publishNotReadyAddresses ? s.addresses : s.addresses.filter((a) => a.ready);
      if (addresses.length) out.push({ addresses, ports: s.ports });
    }
    return out;
  }

  /**
   * The names (relative to the zone, e.g. "web.default.svc") an IP reverses to: the service
   * owning it as a cluster IP, else every headless service endpoint with that address.
   */
  reverse(ip: string): string[] {
    const owner = this.byClusterIP.get(ip);
    if (owner) {
      const s = this.services.get(owner)!;
      return [`${s.name}.${s.namespace}.svc`];
    }
    // A scan: reverse lookups of pod IPs are rare next to forward ones.
    const names = new Set<string>();
    for (const svcKey of this.slices.keys()) {
      const svc = this.services.get(svcKey);
      if (!svc?.headless) continue;
      for (const s of this.endpoints(svc)) {
        for (const a of s.addresses) if (a.ip === ip) names.add(`${a.hostname}.${svc.name}.${svc.namespace}.svc`);
      }
    }
    return [...names];
  }

  private removeClusterIPs(k: string): void {
    for (const ip of this.services.get(k)?.clusterIPs ?? []) if (this.byClusterIP.get(ip) === k) this.byClusterIP.delete(ip);
  }

  private deleteSliceKey(sliceKey: string): void {
    const owner = this.sliceOwner.get(sliceKey);
    if (!owner) return;
    this.sliceOwner.delete(sliceKey);
    const m = this.slices.get(owner);
    m?.delete(sliceKey.slice(sliceKey.indexOf('/') + 1));
    if (m?.size === 0) this.slices.delete(owner);
  }

  private changed(): void {
    this.generation++;
    this.modified = Math.floor(Date.now() / 1000);
  }
}

function toServiceEntry(svc: Obj): ServiceEntry {
  const spec = svc.spec ?? {};
  const external = spec.type === 'ExternalName';
  const ips = ((spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP]) as (string | undefined)[])
    .map((ip) => (ip ? normalIP(ip) : undefined)).filter((ip): ip is string => !!ip);
  return {
    namespace: svc.metadata.namespace,
    name: svc.metadata.name,
    clusterIPs: external ? [] : ips,
    headless: !external && spec.clusterIP === 'None',
    externalName: external && spec.externalName ? String(spec.externalName).toLowerCase().replace(/\.$/, '') : undefined,
    ports: ((spec.ports ?? []) as Obj[]).map(toPort),
    publishNotReadyAddresses: !!spec.publishNotReadyAddresses,
  };
}

function toSliceEntry(slice: Obj): SliceEntry {
  const addresses: EndpointAddress[] = [];
  for (const ep of (slice.endpoints ?? []) as Obj[]) {
    // A nil ready condition means ready (discovery/v1).
    const ready = ep.conditions?.ready !== false;
    for (const raw of (ep.addresses ?? []) as string[]) {
      const ip = normalIP(raw);
      if (!ip) continue;
      addresses.push({ ip, hostname: ep.hostname ? String(ep.hostname).toLowerCase() : ip.replace(/[.:]/g, '-'), ready });
    }
  }
  return { addresses, ports: ((slice.ports ?? []) as Obj[]).map(toPort) };
}

/** The compressed, lower-case form of an IPv6 address: how addresses are stored and compared. */
export function canonicalIPv6(ip: string): string {
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** An address as stored: IPv4 as is, IPv6 canonical; undefined when not an IP. */
const normalIP = (ip: string): string | undefined => (isIPv4(ip) ? ip : isIPv6(ip) ? canonicalIPv6(ip) : undefined);

const toPort = (p: Obj): ServicePort => ({ name: String(p.name ?? '').toLowerCase(), port: Number(p.port), protocol: String(p.protocol ?? 'TCP').toLowerCase() });
