/**
 * @module What CNI leaves on the host that the node must clean up itself: the bridge (containerd
 * never deletes it) and, for leak checks, host-local's IP reservations.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ip } from './bridge.js';
import { checkBridgeName } from './config.js';

/** Deletes the bridge; a bridge that does not exist is not an error. */
export async function deleteBridge(name: string): Promise<void> {
  checkBridgeName(name);
  await ip(['link', 'del', 'dev', name]).catch((e: Error) => {
    if (!/Cannot find device|does not exist/.test(e.message)) throw new Error(`cannot delete bridge ${name}: ${e.message}`);
  });
}

/** True when a network link of that name exists. */
export async function linkExists(name: string): Promise<boolean> {
  checkBridgeName(name);
  return readdir(`/sys/class/net/${name}`).then(() => true, () => false);
}

export interface IPReservation {
  /** The CNI network name (host-local keeps one folder per network). */
  network: string;
  ip: string;
  /** The container (sandbox) ID that holds it. */
  containerId: string;
}

/** IPs host-local still has reserved under `dataDir` (empty when the dir does not exist). */
export async function listIPReservations(dataDir: string): Promise<IPReservation[]> {
  const out: IPReservation[] = [];
  const networks = await readdir(dataDir, { withFileTypes: true }).catch(() => []);
  for (const n of networks) {
    if (!n.isDirectory()) continue;
    for (const f of await readdir(join(dataDir, n.name))) {
      // Besides one file per IP, host-local keeps "lock" and "last_reserved_ip.<range>".
      if (!/^[0-9.]+$|:/.test(f)) continue;
      const content = await readFile(join(dataDir, n.name, f), 'utf8').catch(() => '');
      out.push({ network: n.name, ip: f, containerId: content.split(/\r?\n/)[0]!.trim() });
    }
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip));
}
