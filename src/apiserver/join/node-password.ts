/**
 * @module Node passwords, as k3s's: the first join of a node name stores a hash of the agent's
 * random password in Secret kube-system/<node>.node-password.tugboat; a later join under that
 * name must bring the same password, so a second machine cannot take over an existing node's name
 * (and credentials) while the first keeps its identity across restarts.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { lookupResource } from '../../api/scheme.js';
import { isAlreadyExists, isNotFound, newForbidden } from '../../apimachinery/errors.js';
import type { Client } from '../../client/client.js';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;
const secrets = { type: lookupResource('', 'v1', 'secrets')!, namespace: 'kube-system' };
const KEY_LENGTH = 32;

export const nodePasswordSecretName = (nodeName: string) => `${nodeName}.node-password.tugboat`.toLowerCase();

/**
 * Stores the password's hash on a node's first join and checks it on every later one. Throws 403
 * Forbidden when the stored hash belongs to another password; other API errors pass through.
 */
export async function ensureNodePassword(client: Client, nodeName: string, password: string): Promise<void> {
  const name = nodePasswordSecretName(nodeName);
  try {
    return await verify(await client.get(secrets, name), nodeName, password);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const salt = randomBytes(16);
  const hash = `scrypt:${salt.toString('hex')}:${(await scryptAsync(password, salt, KEY_LENGTH)).toString('hex')}`;
  try {
    await client.create(secrets, { metadata: { name, namespace: 'kube-system' }, type: 'Opaque', immutable: true,
      data: { hash: Buffer.from(hash).toString('base64') } });
  } catch (e) {
    // Two joins of one name at once: the first to store its hash wins.
    if (!isAlreadyExists(e)) throw e;
    await verify(await client.get(secrets, name), nodeName, password);
  }
}

async function verify(secret: Record<string, any>, nodeName: string, password: string): Promise<void> {
  const [alg, saltHex, hashHex] = Buffer.from(secret.data?.hash ?? '', 'base64').toString().split(':');
  const want = Buffer.from(hashHex ?? '', 'hex');
  const got = alg === 'scrypt' && want.length === KEY_LENGTH ? await scryptAsync(password, Buffer.from(saltHex!, 'hex'), KEY_LENGTH) : undefined;
  if (got && timingSafeEqual(got, want)) return;
  throw newForbidden({ group: '', resource: 'nodes' }, nodeName,
    'node password rejected, duplicate hostname or contents of the agent\'s node-password file do not match '
      + `kube-system/${nodePasswordSecretName(nodeName)}; give the node a unique name with --node-name`);
}
