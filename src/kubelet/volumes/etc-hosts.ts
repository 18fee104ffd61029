/**
 * @module The /etc/hosts the kubelet gives each container: for pod networking a managed file
 * with localhost, the pod's IPs and hostname and the pod's hostAliases; for hostNetwork pods the
 * node's own file plus the aliases.
 */
import type { Obj } from '../../client/client.js';

const managedHeader = '# Kubernetes-managed hosts file.\n';
const hostNetworkHeader = '# Kubernetes-managed hosts file (host network).\n';

function aliases(hostAliases: Obj[] | undefined): string {
  if (!hostAliases?.length) return '';
  return `\n# Entries added by HostAliases.\n${hostAliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('')}`;
}

export function managedHostsFile(podIPs: string[], hostname: string, domain: string, hostAliases?: Obj[]): string {
  let out = managedHeader
    + '127.0.0.1\tlocalhost\n'
    + '::1\tlocalhost ip6-localhost ip6-loopback\n'
    + 'fe00::0\tip6-localnet\n'
    + 'fe00::0\tip6-mcastprefix\n'
    + 'fe00::1\tip6-allnodes\n'
    + 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + aliases(hostAliases);
}

export const hostNetworkHostsFile = (nodeHosts: string, hostAliases?: Obj[]) => hostNetworkHeader + nodeHosts + aliases(hostAliases);
