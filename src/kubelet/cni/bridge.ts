/**
 * @module The node's pod bridge, made before the first pod: the bridge plugin would make it with
 * the first sandbox, but the node's DNS server listens on the gateway address from the start.
 * The plugin then finds the bridge with its gateway address and keeps it.
 */
import { execFile } from 'node:child_process';
import { checkBridgeName, checkSubnet } from './config.js';

/** The gateway (first host) address of a subnet, e.g. 10.42.3.1 for 10.42.3.0/24. */
export function gatewayIP(subnet: string): string {
  checkSubnet(subnet);
  const o = subnet.split('/')[0]!.split('.').map(Number);
  return `${o[0]}.${o[1]}.${o[2]}.${o[3]! + 1}`;
}

/** Creates the bridge if missing, gives it the gateway address of `subnet` and brings it up. Idempotent. */
export async function ensureBridge(name: string, subnet: string): Promise<void> {
  checkBridgeName(name);
  const prefix = subnet.split('/')[1];
  await ip(['link', 'add', 'name', name, 'type', 'bridge']).catch((e: Error) => {
    if (!/File exists/.test(e.message)) throw e;
  });
  await ip(['addr', 'replace', `${gatewayIP(subnet)}/${prefix}`, 'dev', name]);
  await ip(['link', 'set', 'dev', name, 'up']);
}

/** Runs `ip ARGS`; rejects with ip's own message. */
export function ip(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return reject(new Error('ip not found: install the Debian package iproute2'));
      reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || e.message}`));
    });
  });
}
