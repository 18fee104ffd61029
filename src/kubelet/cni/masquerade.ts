/**
 * @module Outbound NAT for the node's pods: one nftables table per bridge with one masquerade rule
 * for traffic that leaves the pod subnet. The bridge plugin's own ipMasq would instead run about
 * eight iptables commands per pod start (and more per stop), each reading the whole nat table under
 * the xtables lock; that was the largest share of a sandbox's start-up here. Installed when the node
 * agent starts, kept while its pods outlive it, removed by `tug reset`.
 */
import { execFile } from 'node:child_process';
import { checkBridgeName, checkSubnet } from './config.js';

/** The table tugboat owns for a bridge's pods (one per node, so several nodes share a machine). */
export const masqueradeTable = (bridge: string): string => `tugboat-node-${checkedBridge(bridge)}`;

/** The nft script that (re)creates the table atomically: an old one is replaced, never doubled. */
export function masqueradeScript(bridge: string, subnet: string): string {
  checkSubnet(subnet);
  const table = masqueradeTable(bridge);
  // As the bridge plugin's ipMasq: not within the subnet (pod to pod, pod to gateway), not multicast.
  return `table ip ${table} {}
delete table ip ${table}
table ip ${table} {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${subnet} ip daddr != ${subnet} ip daddr != 224.0.0.0/4 masquerade
  }
}
`;
}

/** Installs (or replaces) the masquerade rule for `subnet`'s pods. Rejects with nft's message. */
export async function installMasquerade(bridge: string, subnet: string): Promise<void> {
  await nft(['-f', '-'], masqueradeScript(bridge, subnet));
}

/** Removes the bridge's table; one that does not exist is not an error. */
export async function removeMasquerade(bridge: string): Promise<void> {
  const table = masqueradeTable(bridge);
  await nft(['-f', '-'], `table ip ${table} {}\ndelete table ip ${table}\n`);
}

/** Whether the bridge's table exists (for leak checks). */
export async function masqueradeInstalled(bridge: string): Promise<boolean> {
  const out = await nft(['list', 'tables', 'ip']);
  return out.split('\n').some((l) => l.trim() === `table ip ${masqueradeTable(bridge)}`);
}

function checkedBridge(bridge: string): string {
  checkBridgeName(bridge);
  return bridge;
}

function nft(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('nft', args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return reject(new Error('nft not found: install the Debian package nftables'));
      reject(new Error(`nft ${args.join(' ')}: ${stderr.trim() || e.message}`));
    });
    child.stdin?.end(input ?? '');
  });
}
