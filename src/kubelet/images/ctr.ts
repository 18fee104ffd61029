/**
 * @module Image import, listing and removal in a containerd's `k8s.io` namespace (the one CRI
 * uses) through `ctr`, which ships with Debian's containerd. Errors are one clear line.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';

/** CRI's containerd namespace: images imported elsewhere are invisible to the kubelet. */
export const CRI_NAMESPACE = 'k8s.io';
export const CTR_BINARY = process.env.CTR_BIN ?? '/usr/bin/ctr';

/** `unix:///abs/path.sock` (or a bare absolute path) → the socket path. */
export function socketPath(endpoint: string): string {
  const path = endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : endpoint;
  if (!path.startsWith('/')) throw new Error(`container runtime endpoint must be unix:///absolute/path, got "${endpoint}"`);
  return path;
}

/** Resolves when something accepts connections on the endpoint's socket; else a clear error. */
export async function checkEndpoint(endpoint: string): Promise<void> {
  const path = socketPath(endpoint);
  const ok = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    const t = setTimeout(() => { s.destroy(); resolve(false); }, 2000);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(true); });
    s.once('error', () => { clearTimeout(t); resolve(false); });
  });
  if (!ok) throw new Error(`no container runtime answers at unix://${path} (is tug server running, or is --container-runtime-endpoint right?)`);
}

/** Runs ctr against the endpoint in the k8s.io namespace; rejects with ctr's own message. */
export function ctr(endpoint: string, args: string[], o: { timeoutMs?: number } = {}): Promise<string> {
  const argv = ['--address', socketPath(endpoint), '--namespace', CRI_NAMESPACE, ...args];
  return new Promise((resolve, reject) => {
    execFile(CTR_BINARY, argv, { timeout: o.timeoutMs ?? 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return reject(new Error(`ctr not found at ${CTR_BINARY}: install the Debian package containerd`));
      if (e.killed) return reject(new Error(`ctr ${args.join(' ')} timed out`));
      const msg = stderr.trim().split('\n').filter(Boolean).pop() ?? e.message;
      reject(new Error(msg.replace(/^ctr: /, '')));
    });
  });
}

/**
 * Imports a docker-archive or OCI-layout tar and unpacks it for CRI. Returns the names created
 * (as ImageStatus finds them: `tugboat.local/x:1` stays, `local/x:1` becomes `docker.io/local/x:1`).
 * `baseName` names an OCI archive's tag-only refs ("1" → "BASE:1"); without it ctr makes up
 * "import-DATE:1", a name no pod can use.
 */
export async function importImage(endpoint: string, tarPath: string, o: { baseName?: string } = {}): Promise<string[]> {
  try {
    await access(tarPath);
  } catch {
    throw new Error(`open ${tarPath}: no such file or directory`);
  }
  await checkEndpoint(endpoint);
  let out: string;
  try {
    const base = o.baseName ? ['--base-name', o.baseName] : [];
    out = await ctr(endpoint, ['images', 'import', '--digests', '--skip-digest-for-named', ...base, tarPath]);
  } catch (e) {
    throw new Error(`cannot import ${tarPath}: ${(e as Error).message}`);
  }
  // "unpacking tugboat.local/busybox:1 (sha256:…)...done", one line per image.
  const names = [...out.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]+\)/gm)].map((m) => m[1]!);
  if (names.length === 0) throw new Error(`cannot import ${tarPath}: it holds no image`);
  return names;
}

export interface LocalImage {
  ref: string;
  /** The manifest (or index) digest. */
  digest: string;
  /** As ctr prints it, e.g. "2.0 MiB". */
  size: string;
  platforms: string;
}

/** Named images in the k8s.io namespace (the `sha256:…` aliases CRI adds are left out). */
export async function listImages(endpoint: string): Promise<LocalImage[]> {
  await checkEndpoint(endpoint);
  const out = await ctr(endpoint, ['images', 'ls']);
  const images: LocalImage[] = [];
  for (const line of out.split('\n').slice(1)) {
    // REF TYPE DIGEST SIZE(2 words) PLATFORMS LABELS
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0]!.startsWith('sha256:')) continue;
    images.push({ ref: f[0]!, digest: f[2]!, size: `${f[3]} ${f[4]}`, platforms: f[5]! });
  }
  return images;
}

/** Removes an image by name; an unknown name is an error (ctr itself only warns). */
export async function removeImage(endpoint: string, ref: string): Promise<void> {
  const images = await listImages(endpoint);
  const match = images.find((i) => i.ref === ref) ?? images.find((i) => i.ref === normalizeRef(ref));
  if (!match) throw new Error(`image "${ref}" not found`);
  await ctr(endpoint, ['images', 'rm', '--sync', match.ref]);
}

/** As Docker normalizes a short name: `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeRef(ref: string): string {
  let name = ref;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) name += ':latest';
  return name;
}
