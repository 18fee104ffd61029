/**
 * @module kubeconfig files: the admin kubeconfig the server writes on start (cluster, user and
 * context all named `default`, as k3s does) and reading the current context back for our client.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export interface AdminKubeconfigOptions {
  /** Defaults to https://127.0.0.1:6443. */
  server?: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Name of the cluster, user and context; defaults to `default`. */
  name?: string;
}

/** What a client needs from the current context; PEM strings. */
export interface KubeconfigCredentials {
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Writes an admin kubeconfig with embedded credentials, mode 0600, replacing any file at `path`. */
export async function writeAdminKubeconfig(path: string, opts: AdminKubeconfigOptions): Promise<void> {
  const name = opts.name ?? 'default';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { 'certificate-authority-data': b64(opts.caPem), server: opts.server ?? 'https://127.0.0.1:6443' } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
    users: [{ name, user: { 'client-certificate-data': b64(opts.certPem), 'client-key-data': b64(opts.keyPem) } }],
  };
  // A fresh file through rename: writeFile's mode would not tighten an existing file.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, stringify(config), { mode: 0o600 });
  await rename(tmp, path);
}

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }

/** Reads the current context's server and credentials; `*-data` fields win over file paths, which are relative to the kubeconfig. */
export async function readKubeconfig(path: string): Promise<KubeconfigCredentials> {
  const doc = (parse(await readFile(path, 'utf8')) ?? {}) as Record<string, unknown>;
  const current = doc['current-context'];
  const context = find<Record<string, string>>(doc.contexts, current, 'context', path).context;
  const cluster = find<Record<string, string>>(doc.clusters, context?.cluster, 'cluster', path).cluster;
  const user = context?.user ? find<Record<string, string>>(doc.users, context.user, 'user', path).user : undefined;
  if (!cluster?.server) throw new Error(`kubeconfig ${path}: cluster of context "${String(current)}" has no server`);

  const base = dirname(path);
  const pem = async (data?: string, file?: string) =>
    data ? Buffer.from(data, 'base64').toString('utf8') : file ? readFile(resolve(base, file), 'utf8') : undefined;
  return {
    server: cluster.server,
    ca: await pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: await pem(user?.['client-certificate-data'], user?.['client-certificate']),
    key: await pem(user?.['client-key-data'], user?.['client-key']),
    token: user?.token,
  };
}

function find<T>(list: unknown, name: unknown, what: string, path: string): Named<T> {
  const item = Array.isArray(list) ? (list as Named<T>[]).find((e) => e?.name === name) : undefined;
  if (!item) throw new Error(`kubeconfig ${path}: ${what} "${String(name)}" not found`);
  return item;
}
