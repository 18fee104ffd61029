/**
 * @module Outbound NAT for the node's pods: one nftables table per bridge with one masquerade rule
 * for traffic that leaves the pod subnet. The bridge plugin's own ipMasq would instead run about
 * eight iptables commands per pod start (and more per stop), each reading the whole nat table under
 * the xtables lock; that was the largest share of a sandbox's start-up here. Installed when the node
 * agent starts, kept while its pods outlive it, removed by `tug reset`.
 */
import { nft, nftDeleteTable, nftTableExists } from '../../net/nft.js';
import { checkBridgeName, checkSubnet } from './config.js';

/** The table tugboat owns for a bridge's pods (one per node, so several nodes share a machine). */
export const masqueradeTable = (bridge: string): string => `tugboat-node-${checkedBridge(bridge)}`;

/**
 * The nft script that (re)creates the table atomically: an old one is replaced, never doubled.
 * `clusterCIDR` is the whole pod network (default: the node's subnet): pods on other nodes see a
 * pod's own address, as Kubernetes requires.
 */
export function masqueradeScript(bridge: string, subnet: string, clusterCIDR = subnet): string {
  checkSubnet(subnet);
  checkSubnet(clusterCIDR);
  const table = masqueradeTable(bridge);
  // As the bridge plugin's ipMasq, but for the pod network: not to a pod (nor the gateway), not multicast.
  return `table ip ${table} {}
delete table ip ${table}
table ip ${table} {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${subnet} ip daddr != ${clusterCIDR} ip daddr != 224.0.0.0/4 masquerade
  }
}
`;
}

/** Installs (or replaces) the masquerade rule for `subnet`'s pods. Rejects with nft's message. */
export async function installMasquerade(bridge: string, subnet: string, clusterCIDR?: string): Promise<void> {
  await nft(['-f', '-'], masqueradeScript(bridge, subnet, clusterCIDR));
}

/** Removes the bridge's table; one that does not exist is not an error. */
export async function removeMasquerade(bridge: string): Promise<void> {
  await nftDeleteTable(masqueradeTable(bridge));
}

/** Whether the bridge's table exists (for leak checks). */
export function masqueradeInstalled(bridge: string): Promise<boolean> {
  return nftTableExists(masqueradeTable(bridge));
}

function checkedBridge(bridge: string): string {
  checkBridgeName(bridge);
  return bridge;
}
