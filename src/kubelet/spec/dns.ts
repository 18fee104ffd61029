/**
 * @module A pod's resolver settings by dnsPolicy, as the kubelet's dns.Configurer.GetPodDNS:
 * ClusterFirst gets the cluster DNS servers, search domains and ndots:5 (falling back to the
 * host's resolv.conf when the node has no cluster DNS); Default gets the host's; None starts
 * empty; spec.dnsConfig is merged last and the result is cut to the resolver's limits.
 */
import { readFileSync } from 'node:fs';
import type { Obj } from '../../client/client.js';
import type { DNSConfig } from '../cri/types.js';

export interface DNSOptions {
  /** The cluster DNS service IPs; empty when the cluster has none yet. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The host's resolver file; '' means none (queries go to the node itself). */
  resolvConf?: string;
}

const MaxDNSServers = 3;
const MaxDNSSearchPaths = 32;
const MaxDNSSearchListChars = 2048;

const unique = (xs: string[]) => [...new Set(xs)];

/** parseResolvConf: nameservers, the last search line, options. */
export function parseResolvConf(text: string): Required<DNSConfig> {
  const out: Required<DNSConfig> = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[;#].*$/, '');
    const fields = line.trim().split(/\s+/).filter(Boolean);
    if (!fields.length) continue;
    if (fields[0] === 'nameserver' && fields[1]) out.servers.push(fields[1]);
    if (fields[0] === 'search') out.searches = fields.slice(1).filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    if (fields[0] === 'options') out.options = mergeOptions(out.options, fields.slice(1));
  }
  return out;
}

/** Options are `name[:value]`; a later one of the same name wins, in first-seen order. */
function mergeOptions(existing: string[], extra: string[]): string[] {
  const m = new Map<string, string>();
  for (const op of [...existing, ...extra]) {
    const i = op.indexOf(':');
    m.set(i < 0 ? op : op.slice(0, i), i < 0 ? '' : op.slice(i + 1));
  }
  return [...m].map(([k, v]) => (v ? `${k}:${v}` : k));
}

function hostConfig(resolvConf: string): Required<DNSConfig> {
  if (resolvConf === '') return { servers: ['127.0.0.1'], searches: ['.'], options: [] };
  try {
    return parseResolvConf(readFileSync(resolvConf, 'utf8'));
  } catch {
    // No resolv.conf on the host: the pod resolves nothing, as with an empty file.
    return { servers: [], searches: [], options: [] };
  }
}

function policy(pod: Obj): 'None' | 'Cluster' | 'Host' {
  switch (pod.spec?.dnsPolicy) {
    case 'None': return 'None';
    case 'Default': return 'Host';
    case 'ClusterFirstWithHostNet': return 'Cluster';
    default: return pod.spec?.hostNetwork ? 'Host' : 'Cluster';
  }
}

/** The CRI DNSConfig for the pod's sandbox. Reads the host's resolver file (default /etc/resolv.conf). */
export function podDNSConfig(pod: Obj, o: DNSOptions = {}): DNSConfig {
  const clusterDomain = o.clusterDomain ?? 'cluster.local';
  let cfg = hostConfig(o.resolvConf ?? '/etc/resolv.conf');
  const kind = policy(pod);
  if (kind === 'None') cfg = { servers: [], searches: [], options: [] };
  if (kind === 'Cluster' && o.clusterDNS?.length) {
    const ns = pod.metadata?.namespace;
    cfg = {
      servers: [...o.clusterDNS],
      searches: unique([`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain, ...cfg.searches]),
      options: ['ndots:5'],
    };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    cfg.servers = unique([...cfg.servers, ...(extra.nameservers ?? [])]);
    cfg.searches = unique([...cfg.searches, ...(extra.searches ?? [])]);
    cfg.options = mergeOptions(cfg.options, (extra.options ?? []).map((o: Obj) => (o.value ? `${o.name}:${o.value}` : o.name)));
  }
  return fitLimits(cfg);
}

/** formDNSConfigFitsLimits: at most 3 servers, 32 search domains and 2048 characters of them. */
function fitLimits(cfg: Required<DNSConfig>): DNSConfig {
  let searches = cfg.searches.slice(0, MaxDNSSearchPaths);
  while (searches.join(' ').length > MaxDNSSearchListChars) searches = searches.slice(0, -1);
  return { servers: cfg.servers.slice(0, MaxDNSServers), searches, options: cfg.options };
}
