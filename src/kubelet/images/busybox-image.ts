/**
 * @module Builds a one-layer image from Debian's busybox-static as a docker-archive tar (what
 * `docker save` writes: manifest.json, the config JSON, one uncompressed layer.tar), without any
 * network. The output is byte-for-byte reproducible for a given busybox binary and options.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { BUSYBOX_BINARY, checkImageName } from './names.js';

const run = promisify(execFile);

/** The image's name: `name` and `tag`, or one `reference` such as "tugboat.local/busybox:1". */
export type BusyboxImageOptions = ({ name: string; tag: string } | { reference: string }) & {
  /** Path of the docker-archive tar to write (replaced atomically). */
  out: string;
  entrypoint?: string[];
  /** Defaults to ["sh"], as Docker's busybox image. */
  cmd?: string[];
  /** The static busybox to pack (default /usr/bin/busybox). */
  busybox?: string;
};

export interface BuiltImage {
  /** `name:tag`. */
  ref: string;
  out: string;
  /** sha256:… of the config JSON, i.e. the image ID. */
  configDigest: string;
  /** sha256:… of the uncompressed layer (its diff_id). */
  layerDigest: string;
}

/** Applets every image must have: tests and examples rely on them. */
export const REQUIRED_APPLETS = [
  'sh', 'ls', 'cat', 'echo', 'sleep', 'httpd', 'wget', 'nc', 'env', 'id', 'tar', 'mkdir', 'rm', 'true',
  'false', 'dd', 'head', 'tail', 'grep', 'ps', 'hostname', 'ip', 'ping', 'kill', 'date', 'touch', 'sed',
  'wc', 'find', 'mount',
];

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// A fixed timestamp keeps the archive reproducible (and so its digests cacheable).
const EPOCH = '1970-01-01T00:00:00Z';

export async function buildBusyboxImage(o: BusyboxImageOptions): Promise<BuiltImage> {
  const [name, tag] = 'reference' in o ? splitReference(o.reference) : [o.name, o.tag];
  checkImageName(name, tag);
  const busybox = o.busybox ?? BUSYBOX_BINARY;
  const applets = await listApplets(busybox);
  const work = await mkdtemp(join(tmpdir(), 'tug-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    await makeRootfs(rootfs, busybox, applets);
    const layer = join(work, 'layer.tar');
    await deterministicTar(rootfs, layer);
    const layerDigest = `sha256:${await sha256File(layer)}`;

    const ref = `${name}:${tag}`;
    const config = {
      architecture: goArch(process.arch),
      os: 'linux',
      created: EPOCH,
      config: {
        Env: [PATH_ENV],
        ...(o.entrypoint ? { Entrypoint: o.entrypoint } : {}),
        Cmd: o.cmd ?? (o.entrypoint ? null : ['sh']),
        WorkingDir: '/',
      },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
      history: [{ created: EPOCH, created_by: `tugboat: ${busybox} and its applets` }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configHex = createHash('sha256').update(configBytes).digest('hex');
    const layerHex = layerDigest.slice('sha256:'.length);

    const archive = join(work, 'archive');
    await mkdir(join(archive, layerHex), { recursive: true });
    await rename(layer, join(archive, layerHex, 'layer.tar'));
    await writeFile(join(archive, `${configHex}.json`), configBytes);
    const manifest = [{ Config: `${configHex}.json`, RepoTags: [ref], Layers: [`${layerHex}/layer.tar`] }];
    await writeFile(join(archive, 'manifest.json'), JSON.stringify(manifest));
    await writeFile(join(archive, 'repositories'), JSON.stringify({ [name]: { [tag]: layerHex } }));

    await mkdir(dirname(o.out), { recursive: true });
    const tmpOut = `${o.out}.${process.pid}.tmp`;
    try {
      await deterministicTar(archive, tmpOut);
      // Rename so that a reader (another test file using the same cache) never sees half a tar.
      await rename(tmpOut, o.out);
    } finally {
      await rm(tmpOut, { force: true });
    }
    return { ref, out: o.out, configDigest: `sha256:${configHex}`, layerDigest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** "host:5000/a/b:tag" → ["host:5000/a/b", "tag"]; the tag is required. */
function splitReference(ref: string): [string, string] {
  const colon = ref.lastIndexOf(':');
  if (colon < 0 || ref.indexOf('/', colon) >= 0) throw new Error(`image reference "${ref}" needs a tag, e.g. "${ref}:1"`);
  return [ref.slice(0, colon), ref.slice(colon + 1)];
}

/** `busybox --list-full` (e.g. "bin/sh", "usr/bin/wget"), checked for the applets tests need. */
async function listApplets(busybox: string): Promise<string[]> {
  let out: string;
  try {
    out = (await run(busybox, ['--list-full'])).stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new Error(`busybox not found at ${busybox}: install the Debian package busybox-static`);
    throw new Error(`cannot list the applets of ${busybox}: ${err.message}`);
  }
  // "linuxrc" is an init for initramfs images, not a command.
  const applets = out.split('\n').map((s) => s.trim()).filter((s) => s && s !== 'linuxrc' && !s.startsWith('/') && !s.includes('..'));
  const have = new Set(applets.map((p) => p.slice(p.lastIndexOf('/') + 1)));
  const missing = REQUIRED_APPLETS.filter((a) => !have.has(a));
  if (missing.length) throw new Error(`${busybox} lacks applets ${missing.join(', ')}: use Debian's busybox-static`);
  return applets;
}

async function makeRootfs(rootfs: string, busybox: string, applets: string[]): Promise<void> {
  const dirs = ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'root', 'home', 'var', 'dev', 'proc', 'sys'];
  for (const d of dirs) {
    await mkdir(join(rootfs, d), { recursive: true });
    await chmod(join(rootfs, d), 0o755);
  }
  await mkdir(join(rootfs, 'tmp'));
  // Sticky and world-writable, as every /tmp (mkdir's mode is cut by the umask, chmod is not).
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await chmod(join(rootfs, 'root'), 0o700);
  await copyFile(busybox, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  for (const a of applets) {
    if (a === 'bin/busybox') continue;
    await mkdir(join(rootfs, dirname(a)), { recursive: true });
    await symlink('/bin/busybox', join(rootfs, a));
  }
  await writeText(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  await writeText(join(rootfs, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
}

async function writeText(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o644);
}

/** GNU tar of dir's entries with owners, times and order fixed, so equal input gives equal bytes. */
async function deterministicTar(dir: string, out: string): Promise<void> {
  const entries = (await readdir(dir)).sort();
  try {
    await run('tar', [
      '--create', '--file', out, '--directory', dir, '--format=gnu', '--sort=name',
      '--owner=0', '--group=0', '--numeric-owner', `--mtime=${EPOCH}`, '--', ...entries,
    ]);
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('GNU tar not found: install the Debian package tar');
    throw new Error(`tar failed: ${err.stderr?.trim() || err.message}`);
  }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Node's arch names → the OCI/Go names images carry. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}
