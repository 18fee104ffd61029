/**
 * @module The kernel settings the proxy depends on. Pods on one node share a Linux bridge: a pod's
 * reply to another pod that reached it through a Service IP is bridged, not routed, and only with
 * bridge-nf-call-iptables does it pass netfilter, where conntrack un-DNATs it (without, the client
 * gets a reply from the wrong address and resets). ip_forward lets DNATed traffic be routed at all.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ProxySysctls: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
};

/** Sets `key` (dotted) in the current network namespace, or inside the named one. */
export async function setSysctl(key: string, value: string, netns?: string): Promise<void> {
  if (netns) {
    await run('ip', ['netns', 'exec', netns, 'sysctl', '-qw', `${key}=${value}`]);
    return;
  }
  try {
    await writeFile(`/proc/sys/${key.replaceAll('.', '/')}`, value);
  } catch (e) {
    // The bridge keys exist only with br_netfilter loaded.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !key.startsWith('net.bridge.')) throw e;
    await run('modprobe', ['br_netfilter']);
    await writeFile(`/proc/sys/${key.replaceAll('.', '/')}`, value);
  }
}
