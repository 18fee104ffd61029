/**
 * @module What a joined agent keeps in DATA_DIR/agent (all 0600): its random node password, made on
 * the first join and sent on every later one (the server's proof that a rejoin is the same machine),
 * and the credentials of its last join, used when the server cannot be reached at a restart.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeCredentials } from '../../apiserver/join/handler.js';

export const agentStateDir = (dataDir: string) => join(dataDir, 'agent');
const passwordPath = (dataDir: string) => join(agentStateDir(dataDir), 'node-password');
const credentialsPath = (dataDir: string) => join(agentStateDir(dataDir), 'credentials.json');

/** The node password of this data dir, made (32 random bytes, hex) when there is none. */
export async function ensureNodePassword(dataDir: string): Promise<string> {
  const existing = await readOptional(passwordPath(dataDir));
  if (existing?.trim()) return existing.trim();
  const password = randomBytes(32).toString('hex');
  await writePrivate(passwordPath(dataDir), password + '\n');
  return password;
}

export interface SavedCredentials { server: string; nodeName: string; credentials: NodeCredentials }

export async function saveCredentials(dataDir: string, saved: SavedCredentials): Promise<void> {
  await writePrivate(credentialsPath(dataDir), JSON.stringify(saved, null, 2) + '\n');
}

/** The last join's credentials for this server and node name, when their client certificate is still valid. */
export async function loadCredentials(dataDir: string, server: string, nodeName: string): Promise<NodeCredentials | undefined> {
  const text = await readOptional(credentialsPath(dataDir));
  if (!text) return undefined;
  const saved = JSON.parse(text) as SavedCredentials;
  if (saved.server !== server || saved.nodeName !== nodeName) return undefined;
  const expires = new Date(new X509Certificate(saved.credentials.client.cert).validTo).getTime();
  return expires > Date.now() ? saved.credentials : undefined;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writePrivate(path: string, data: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, path);
}
