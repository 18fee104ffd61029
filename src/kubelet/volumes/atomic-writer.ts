/**
 * @module Writes a volume's files so that readers never see half an update (the kubelet's
 * AtomicWriter): the payload goes into a new `..<timestamp>` directory, the `..data` symlink is
 * swapped to it with one rename, and each top-level name is a symlink through `..data`. Old
 * content is removed after the swap. Nothing is rewritten when nothing changed.
 */
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** File mode bits, e.g. 0o644. */
  mode: number;
}

/** Relative file path → content and mode. */
export type Payload = Map<string, FileProjection>;

const DATA = '..data';
const DATA_TMP = '..data_tmp';
const MaxFileNameLength = 255;
const MaxPathLength = 4096;

/** validatePath: relative, no `..` element, not starting with `..`, within length limits. Throws Error. */
export function validatePath(p: string): void {
  if (p === '') throw new Error(`invalid path: must not be empty: "${p}"`);
  if (p.startsWith('/')) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > MaxPathLength) throw new Error(`invalid path: must be less than or equal to ${MaxPathLength} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${p}`);
    if (item.length > MaxFileNameLength) throw new Error(`invalid path: filenames must be less than or equal to ${MaxFileNameLength} characters`);
  }
  if (items[0].startsWith('..') && items[0].length > 2) throw new Error(`invalid path: must not start with '..': ${p}`);
}

/** The payload with cleaned, validated paths. */
function cleanPayload(payload: Payload): Payload {
  const out: Payload = new Map();
  for (const [p, f] of payload) {
    validatePath(p);
    out.set(posix.normalize(p).replace(/\/$/, ''), f);
  }
  return out;
}

const exists = (p: string) => lstat(p).then(() => true, () => false);

/** Every file path (relative) under dir. */
async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, p)));
    else out.push(p);
  }
  return out;
}

async function unchanged(oldDir: string, payload: Payload): Promise<boolean> {
  const old = await filesUnder(oldDir);
  if (old.length !== payload.size || old.some((p) => !payload.has(p))) return false;
  for (const [p, f] of payload) {
    const path = join(oldDir, p);
    const [data, st] = await Promise.all([readFile(path), stat(path)]);
    if (!data.equals(f.data) || (st.mode & 0o7777) !== f.mode) return false;
  }
  return true;
}

/** The UTC timestamp prefix the kubelet names data directories with: `..2006_01_02_15_04_05.` */
function tsPrefix(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

const locks = new Map<string, Promise<unknown>>();

/** Runs writes to one directory one at a time (set-up and refresh may race). */
function serialized<T>(dir: string, job: () => Promise<T>): Promise<T> {
  const prev = locks.get(dir) ?? Promise.resolve();
  const next = prev.then(job, job);
  const tail = next.catch(() => {});
  locks.set(dir, tail);
  void tail.then(() => { if (locks.get(dir) === tail) locks.delete(dir); });
  return next;
}

/**
 * Makes `targetDir` hold exactly the payload. Returns whether anything changed. Throws Error for
 * an invalid path (nothing is written then) or a file system failure.
 */
export function writeAtomically(targetDir: string, payload: Payload): Promise<boolean> {
  return serialized(targetDir, () => write(targetDir, cleanPayload(payload)));
}

async function write(targetDir: string, payload: Payload): Promise<boolean> {
  await mkdir(targetDir, { recursive: true });
  const oldTs = await readlink(join(targetDir, DATA)).catch(() => undefined);
  const oldDir = oldTs ? join(targetDir, oldTs) : undefined;
  if (oldDir && (await unchanged(oldDir, payload))) return false;

  const tsDir = await mkdtemp(join(targetDir, tsPrefix(new Date())));
  // Group and others must be able to walk the tree, whatever the umask.
  await chmod(tsDir, 0o755);
  for (const [p, f] of payload) {
    const file = join(tsDir, p);
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, f.data, { mode: f.mode });
    await chmod(file, f.mode);
  }
  const tmpLink = join(targetDir, DATA_TMP);
  await rm(tmpLink, { force: true });
  await symlink(posix.basename(tsDir), tmpLink);
  await rename(tmpLink, join(targetDir, DATA));

  const tops = new Set([...payload.keys()].map((p) => p.split('/')[0]));
  for (const top of tops) {
    const link = join(targetDir, top);
    if (!(await exists(link))) await symlink(posix.join(DATA, top), link);
  }
  if (oldDir) {
    const oldTops = new Set((await readdir(oldDir).catch(() => [])));
    for (const top of oldTops) if (!tops.has(top)) await unlink(join(targetDir, top)).catch(() => {});
    await rm(oldDir, { recursive: true, force: true });
  }
  return true;
}
