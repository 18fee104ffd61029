/**
 * @module The fixed part of the proxy's table: hooks, the verdict maps keyed by
 * `ip daddr . meta l4proto . th dport` (one lookup whatever the number of services), and the
 * filter chains that turn away traffic to services without endpoints before NAT sees it.
 * A full sync declares it afresh in a new table, which also repairs what someone else changed.
 */

/** Marks a packet for masquerading in postrouting (upstream's bit). */
export const MasqueradeMark = '0x4000';

export const SharedMaps = {
  'service-ips': 'type ipv4_addr . inet_proto . inet_service : verdict;',
  'service-nodeports': 'type inet_proto . inet_service : verdict;',
  'no-endpoint-services': 'type ipv4_addr . inet_proto . inet_service : verdict;',
  'no-endpoint-nodeports': 'type inet_proto . inet_service : verdict;',
} as const;
export const SharedSets = { 'cluster-ips': 'type ipv4_addr;', 'nodeport-ips': 'type ipv4_addr;' } as const;

interface BaseChain { name: string; hook?: string; rules: string[] }

const BASE_CHAINS: BaseChain[] = [
  { name: 'nat-prerouting', hook: 'type nat hook prerouting priority dstnat; policy accept;', rules: ['jump services'] },
  { name: 'nat-output', hook: 'type nat hook output priority -100; policy accept;', rules: ['jump services'] },
  { name: 'nat-postrouting', hook: 'type nat hook postrouting priority srcnat; policy accept;', rules: ['jump masquerading'] },
  // Before DNAT (-100): a destination that no endpoint serves still carries the service's address.
  { name: 'filter-input', hook: 'type filter hook input priority -110; policy accept;',
    rules: ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check'] },
  { name: 'filter-forward', hook: 'type filter hook forward priority -110; policy accept;',
    rules: ['ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check'] },
  { name: 'filter-output', hook: 'type filter hook output priority -110; policy accept;', rules: ['ct state new jump service-endpoints-check'] },
  // After DNAT: a ClusterIP still as destination means a port the service does not have.
  { name: 'filter-output-post-dnat', hook: 'type filter hook output priority -90; policy accept;', rules: ['ct state new jump cluster-ips-check'] },
  { name: 'services', rules: [
    'ip daddr . meta l4proto . th dport vmap @service-ips',
    'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports',
  ] },
  { name: 'service-endpoints-check', rules: ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services'] },
  { name: 'nodeport-endpoints-check', rules: ['ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports'] },
  { name: 'cluster-ips-check', rules: ['ip daddr @cluster-ips reject'] },
  { name: 'reject-chain', rules: ['reject'] },
  { name: 'mark-for-masquerade', rules: [`meta mark set meta mark | ${MasqueradeMark}`] },
  { name: 'masquerading', rules: [
    `meta mark & ${MasqueradeMark} == 0 return`,
    `meta mark set meta mark ^ ${MasqueradeMark}`,
    'masquerade fully-random',
  ] },
];

/** The fixed part as declarations inside a `table ip T { … }` block, the shared maps and sets holding `elements`. */
export function baseDeclarations(elements: ReadonlyMap<string, string[]>): string[] {
  const out = Object.entries({ ...SharedMaps, ...SharedSets })
    .map(([name, def]) => `${name in SharedMaps ? 'map' : 'set'} ${name} ${setBody(def, elements.get(name) ?? [])}`);
  for (const c of BASE_CHAINS) out.push(chainBlock(c.name, c.rules, c.hook));
  return out;
}

/** `{ DEF elements = { … } }`: a set's definition with elements (they add to a set that exists). */
export const setBody = (def: string, elements: string[]) => `{ ${def}${elements.length > 0 ? ` elements = { ${elements.join(', ')} }` : ''} }`;

/** `chain NAME { [hook] rules… }`, one rule a line (nft's own listing format). */
export function chainBlock(name: string, rules: string[], hook?: string): string {
  return `chain ${name} {\n${hook ? `\t${hook}\n` : ''}${rules.map((r) => `\t${r}\n`).join('')}}`;
}
