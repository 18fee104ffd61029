/**
 * @module tmpfs mounts for memory-backed volumes: mounting, unmounting and finding what is
 * mounted under a directory (from /proc/self/mountinfo), so a pod's directory is never removed
 * while something is still mounted inside it.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mount points decode octal escapes (\040 is a space) in mountinfo. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Mount points at or under `dir`, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = text.split('\n').filter(Boolean).map((line) => unescape(line.split(' ')[4]));
  return [...new Set(points.filter((p) => p === dir || p.startsWith(prefix)))].sort((a, b) => b.length - a.length);
}

export async function isMountPoint(dir: string): Promise<boolean> {
  return (await mountsUnder(dir)).includes(dir);
}

async function command(file: string, args: string[]): Promise<void> {
  try {
    await run(file, args, { timeout: 30_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string; code?: number | string };
    const output = String(err.stderr ?? '').trim();
    throw new Error(`${file} ${args.join(' ')} failed: ${output || err.message}`);
  }
}

/** Mounts a tmpfs at dir; `sizeBytes` caps it (else the kernel's default, half the memory). */
export async function mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  const options = sizeBytes ? ['-o', `size=${sizeBytes}`] : [];
  await command('mount', ['-t', 'tmpfs', ...options, 'tmpfs', dir]);
}

export async function unmount(dir: string): Promise<void> {
  await command('umount', [dir]);
}
