/**
 * @module The nftables objects one Service needs (its "fragment"), built from the Service and its
 * EndpointSlices alone, as upstream kube-proxy's nftables mode lays them out: verdict-map elements
 * that send ClusterIP / external IP / load-balancer IP / NodePort traffic to the service's chains,
 * a `numgen random` pick over the endpoint chains, one DNAT chain per endpoint, and "no endpoints"
 * elements that reject (nothing anywhere) or drop (nothing usable under a Local traffic policy).
 * Pure: the same input gives the same text, which is what lets syncs send only what changed.
 */
import type { Obj } from '../client/client.js';
import { categorize, endpointsForPort, type Endpoint } from '../api/slice-endpoints.js';
import { affinitySet, clusterChain, endpointChain, externalChain, localChain, type ServicePortId } from './names.js';

/** A shared map or set of the table, and one element of it (value only for maps). */
export interface Element { container: SharedContainer; key: string; value?: string }
export type SharedContainer = 'service-ips' | 'service-nodeports' | 'no-endpoint-services' | 'no-endpoint-nodeports' | 'cluster-ips';

export interface Fragment {
  /** Chain name → its rules, in order. */
  chains: Map<string, string[]>;
  /** Set name → its definition (affinity sets). */
  sets: Map<string, string>;
  elements: Element[];
}

export interface NodeContext {
  nodeName: string;
  /** The whole pod network: traffic from outside it to a ClusterIP is masqueraded. */
  clusterCIDR: string;
}

/** Upstream's default ClientIP affinity timeout (3 hours). */
export const DefaultAffinityTimeoutS = 10800;

const ipv4 = (s: unknown): s is string => typeof s === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(s);
const PROTOCOLS: Record<string, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** Whether the proxy programs anything for this Service (not headless, not ExternalName). */
export function isProxied(svc: Obj): boolean {
  return svc.spec?.type !== 'ExternalName' && ipv4(svc.spec?.clusterIP);
}

export function serviceFragment(svc: Obj, slices: Obj[], ctx: NodeContext): Fragment {
  const f: Fragment = { chains: new Map(), sets: new Map(), elements: [] };
  if (!isProxied(svc)) return f;
  const spec = svc.spec;
  const clusterIP: string = spec.clusterIP;
  f.elements.push({ container: 'cluster-ips', key: clusterIP });
  // External destinations: spec.externalIPs and load-balancer VIPs (ipMode Proxy means the LB proxies itself).
  const externalIPs = [...new Set<string>([
    ...(spec.externalIPs ?? []).filter(ipv4),
    ...(svc.status?.loadBalancer?.ingress ?? []).filter((i: Obj) => i.ipMode !== 'Proxy').map((i: Obj) => i.ip).filter(ipv4),
  ])].sort();
  for (const port of spec.ports ?? []) {
    const proto = PROTOCOLS[port.protocol ?? 'TCP'];
    if (!proto || typeof port.port !== 'number') continue;
    const id: ServicePortId = { namespace: svc.metadata.namespace, name: svc.metadata.name, proto, portName: port.name ?? '', port: port.port };
    const nodePort = spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? port.nodePort : undefined;
    addServicePort(f, {
      id, clusterIP, externalIPs, nodePort: typeof nodePort === 'number' && nodePort > 0 ? nodePort : undefined,
      endpoints: endpointsForPort(slices, port.name ?? '', port.protocol ?? 'TCP', ctx.nodeName),
      internalLocal: spec.internalTrafficPolicy === 'Local',
      externalLocal: spec.externalTrafficPolicy === 'Local',
      affinityTimeoutS: spec.sessionAffinity === 'ClientIP'
        ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DefaultAffinityTimeoutS : undefined,
    }, ctx);
  }
  return f;
}

interface PortInput {
  id: ServicePortId;
  clusterIP: string;
  externalIPs: string[];
  nodePort?: number;
  endpoints: Endpoint[];
  internalLocal: boolean;
  externalLocal: boolean;
  affinityTimeoutS?: number;
}

function addServicePort(f: Fragment, p: PortInput, ctx: NodeContext): void {
  const { id } = p;
  const eps = categorize(p.endpoints);
  const hasExternalDestinations = p.externalIPs.length > 0 || p.nodePort !== undefined;
  const internalEps = p.internalLocal ? eps.local : eps.cluster;
  const externalEps = p.externalLocal ? eps.local : eps.cluster;
  const hasInternal = internalEps.length > 0;
  const usesExternalChain = hasExternalDestinations && externalEps.length > 0;
  const internalChain = p.internalLocal ? localChain(id) : clusterChain(id);
  // Under external policy Local, pods and the node itself are not "external": they are sent where
  // the ClusterIP would send them (upstream's short-circuit), so the internal chain is used too.
  const usesCluster = eps.cluster.length > 0 && ((hasInternal && !p.internalLocal) || (usesExternalChain && (!p.externalLocal || !p.internalLocal)));
  const usesLocal = eps.local.length > 0 && ((hasInternal && p.internalLocal) || (usesExternalChain && p.externalLocal));
  // Nothing anywhere: reject (the client sees "connection refused" at once). Endpoints exist, but
  // none this traffic policy allows: drop, as upstream does (a load balancer's health check fails).
  const noEndpointVerdict = eps.cluster.length > 0 ? 'drop' : 'goto reject-chain';
  const vip = (ip: string) => `${ip} . ${id.proto} . ${id.port}`;

  // Endpoint chains, for every endpoint a policy chain below picks (names hashed once: full syncs build 100,000s).
  const reachable = [...new Set([...(usesCluster ? eps.cluster : []), ...(usesLocal ? eps.local : [])])];
  const chainOf = new Map<Endpoint, string>();
  const setOf = new Map<Endpoint, string>();
  for (const e of reachable) {
    const chain = endpointChain(id, e.ip, e.port);
    const set = p.affinityTimeoutS === undefined ? undefined : affinitySet(id, e.ip, e.port, p.affinityTimeoutS);
    chainOf.set(e, chain);
    if (set) {
      setOf.set(e, set);
      f.sets.set(set, `type ipv4_addr; flags dynamic,timeout; timeout ${p.affinityTimeoutS}s;`);
    }
    f.chains.set(chain, [
      // Hairpin: a pod reaching itself through the service must not see its own address as source.
      `ip saddr ${e.ip} jump mark-for-masquerade`,
      ...(set ? [`update @${set} { ip saddr }`] : []),
      `meta l4proto ${id.proto} dnat to ${e.ip}:${e.port}`,
    ]);
  }
  const pickRules = (list: Endpoint[]) => [
    // A client seen recently goes back to the same endpoint; new clients are spread at random.
    ...list.flatMap((e) => (setOf.has(e) ? [`ip saddr @${setOf.get(e)} goto ${chainOf.get(e)}`] : [])),
    // Rule i takes 1/(n-i) of what the rules before it left, so each endpoint gets 1/n (as
    // iptables mode). Not upstream's `numgen random mod n vmap { … }`: the kernel binds each such
    // anonymous map with a walk over the whole transaction, which made a full sync quadratic (182 s
    // at 10,000 services), and named maps are found by a walk over the table's sets.
    ...list.map((e, i) => (i === list.length - 1 ? `goto ${chainOf.get(e)}` : `numgen random mod ${list.length - i} == 0 goto ${chainOf.get(e)}`)),
  ];
  // Off-cluster clients of the ClusterIP (e.g. the node itself) are masqueraded: the endpoint may be on another node.
  const offClusterMasq = `ip daddr ${p.clusterIP} ${id.proto} dport ${id.port} ip saddr != ${ctx.clusterCIDR} jump mark-for-masquerade`;
  if (usesCluster) f.chains.set(clusterChain(id), [...(hasInternal && !p.internalLocal ? [offClusterMasq] : []), ...pickRules(eps.cluster)]);
  if (usesLocal) f.chains.set(localChain(id), [...(hasInternal && p.internalLocal ? [offClusterMasq] : []), ...pickRules(eps.local)]);

  if (hasInternal) f.elements.push({ container: 'service-ips', key: vip(p.clusterIP), value: `goto ${internalChain}` });
  else f.elements.push({ container: 'no-endpoint-services', key: vip(p.clusterIP), value: noEndpointVerdict });
  if (!hasExternalDestinations) return;

  if (usesExternalChain) {
    const ext = externalChain(id);
    f.chains.set(ext, p.externalLocal ? [
      // Pods and the node itself are not "external": they get the cluster-wide pick, as upstream.
      `ip saddr ${ctx.clusterCIDR} goto ${internalChain}`,
      'fib saddr type local jump mark-for-masquerade',
      `fib saddr type local goto ${internalChain}`,
      // Everyone else keeps their source address and reaches only this node's endpoints.
      `goto ${localChain(id)}`,
    ] : [
      // The endpoint may be on another node: the reply must come back through this one.
      'jump mark-for-masquerade',
      `goto ${clusterChain(id)}`,
    ]);
  }
  const externalVerdict = usesExternalChain ? `goto ${externalChain(id)}` : noEndpointVerdict;
  for (const ip of p.externalIPs) {
    f.elements.push({ container: usesExternalChain ? 'service-ips' : 'no-endpoint-services', key: vip(ip), value: externalVerdict });
  }
  if (p.nodePort !== undefined) {
    f.elements.push({ container: usesExternalChain ? 'service-nodeports' : 'no-endpoint-nodeports', key: `${id.proto} . ${p.nodePort}`, value: externalVerdict });
  }
}
