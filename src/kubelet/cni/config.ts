/**
 * @module The node's CNI network: one conflist (bridge with host-local IPAM, then portmap for
 * hostPort) in the conf dir containerd reads. Debian's plugins speak CNI up to 1.0.0. Outbound NAT
 * is not the bridge plugin's (ipMasq): the node installs one nftables rule for the whole subnet
 * (masquerade.ts), which keeps iptables out of every pod start and stop.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CNI_VERSION = '1.0.0';
export const CNI_NETWORK_NAME = 'tugboat';
/** The file containerd loads (it takes the first conflist by name; tugboat writes only this one). */
export const CNI_CONFLIST_FILE = '10-tugboat.conflist';

export interface CNIConfigOptions {
  /** containerd's CNI conf_dir (DATA_DIR/containerd/cni/net.d). */
  confDir: string;
  /** Linux bridge name (at most 15 characters). */
  bridge: string;
  /** The node's pod CIDR, e.g. "10.42.0.0/24". */
  subnet: string;
  /** host-local's reservation directory, one per node. */
  dataDir: string;
}

/** Writes (atomically replaces) the conflist; returns its path. Bad input throws a clear error. */
export async function writeCNIConfig(o: CNIConfigOptions): Promise<string> {
  checkBridgeName(o.bridge);
  checkSubnet(o.subnet);
  if (!o.dataDir.startsWith('/')) throw new Error(`CNI dataDir must be an absolute path, got "${o.dataDir}"`);
  const conflist = {
    cniVersion: CNI_VERSION,
    name: CNI_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: o.bridge,
        isGateway: true,
        // Lets a pod reach itself through a Service IP that picks it.
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: o.subnet }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: o.dataDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  await mkdir(o.confDir, { recursive: true });
  const path = join(o.confDir, CNI_CONFLIST_FILE);
  // containerd watches the dir and reloads on change: never let it see half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(conflist, null, 2) + '\n');
  await rename(tmp, path);
  return path;
}

export function checkBridgeName(name: string): void {
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(name)) {
    throw new Error(`invalid bridge name "${name}": 1-15 letters, digits, '_', '.' or '-'`);
  }
}

/** Accepts an IPv4 CIDR with host bits zero and a prefix from /8 to /30. */
export function checkSubnet(subnet: string): void {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(subnet);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : NaN;
  if (!m || octets.some((o) => o > 255) || !(prefix >= 8 && prefix <= 30)) {
    throw new Error(`invalid pod subnet "${subnet}": want an IPv4 CIDR such as 10.42.0.0/24 (prefix 8-30)`);
  }
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  if (addr % 2 ** (32 - prefix) !== 0) throw new Error(`invalid pod subnet "${subnet}": host bits are set`);
}
