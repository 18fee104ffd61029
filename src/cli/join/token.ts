/**
 * @module Join tokens as k3s writes them: `K10<sha256 hex of the cluster CA PEM>::<user>:<secret>`.
 * The CA hash lets a joining agent check that the server it reached is the cluster's before it
 * sends the secret; a bare secret (no hash) is accepted too, as k3s does, with the CA trusted on
 * first use. The server keeps its token in DATA_DIR/server/token (mode 0600).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const TOKEN_PREFIX = 'K10';
/** The user part of the tokens `tug server` writes (k3s's server token names "server" too). */
export const SERVER_USER = 'server';
const CA_HASH_LENGTH = 64;

export interface JoinToken {
  /** sha256 hex of the CA PEM; absent for a bare secret. */
  caHash?: string;
  user?: string;
  secret: string;
}

/** sha256 hex of the CA certificate's PEM bytes (k3s's hash of a single-certificate bundle). */
export function caHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

export function formatToken(caPem: string, secret: string, user = SERVER_USER): string {
  return `${TOKEN_PREFIX}${caHash(caPem)}::${user}:${secret}`;
}

/**
 * Parses a full K10 token or a bare secret; throws an Error with a one-line reason for an empty
 * token, a CA hash of the wrong length or a K10 token without `user:secret`.
 */
export function parseToken(raw: string): JoinToken {
  const token = raw.trim();
  if (!token) throw new Error('token must not be empty');
  if (!token.startsWith(TOKEN_PREFIX) || !token.includes('::')) return { secret: token };
  const rest = token.slice(TOKEN_PREFIX.length);
  const hash = rest.slice(0, rest.indexOf('::'));
  const creds = rest.slice(hash.length + 2);
  if (hash && !new RegExp(`^[0-9a-f]{${CA_HASH_LENGTH}}$`).test(hash)) throw new Error('invalid token: the CA hash must be 64 hex digits');
  const colon = creds.indexOf(':');
  if (colon < 0 || colon === creds.length - 1) throw new Error('invalid token: want K10<ca-hash>::<user>:<secret>');
  return { caHash: hash || undefined, user: creds.slice(0, colon), secret: creds.slice(colon + 1) };
}

export const serverTokenPath = (dataDir: string) => join(dataDir, 'server', 'token');

/**
 * The server's join token: `flag` (a bare secret, or a full token whose CA hash must be this
 * cluster's) when given, else the one kept in DATA_DIR/server/token, else a new random secret.
 * The token is written back, so agents can always use the file. Throws a one-line Error for a
 * token of another cluster.
 */
export async function ensureServerToken(dataDir: string, caPem: string, flag?: string): Promise<string> {
  const path = serverTokenPath(dataDir);
  let secret: string;
  if (flag) {
    const t = parseToken(flag);
    if (t.caHash && t.caHash !== caHash(caPem)) {
      throw new Error('--token: its CA hash does not match this server\'s CA (a token of another cluster?)');
    }
    secret = t.secret;
  } else {
    secret = await readExisting(path) ?? randomBytes(24).toString('hex');
  }
  const token = formatToken(caPem, secret);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, token + '\n', { mode: 0o600 });
  await rename(tmp, path);
  return token;
}

async function readExisting(path: string): Promise<string | undefined> {
  try {
    return parseToken(await readFile(path, 'utf8')).secret;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
