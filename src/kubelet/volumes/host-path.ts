/**
 * @module hostPath volume type checks (the kubelet's checkTypeInternal): DirectoryOrCreate and
 * FileOrCreate create what is missing; Directory, File, Socket, CharDevice and BlockDevice must
 * already be that; "" checks nothing.
 */
import { mkdir, open, stat } from 'node:fs/promises';

const kinds: Record<string, { test: (s: import('node:fs').Stats) => boolean; what: string }> = {
  Directory: { test: (s) => s.isDirectory(), what: 'a directory' },
  File: { test: (s) => s.isFile(), what: 'a file' },
  Socket: { test: (s) => s.isSocket(), what: 'a socket file' },
  CharDevice: { test: (s) => s.isCharacterDevice(), what: 'a character device' },
  BlockDevice: { test: (s) => s.isBlockDevice(), what: 'a block device' },
};

/** Throws Error with the kubelet's text when the path is not what the type asks for. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  if (!path.startsWith('/')) throw new Error(`hostPath ${JSON.stringify(path)} must be an absolute path`);
  if (!type) return;
  const st = await stat(path).catch(() => undefined);
  if (type === 'DirectoryOrCreate' && !st) {
    await mkdir(path, { recursive: true, mode: 0o755 });
    return;
  }
  if (type === 'FileOrCreate' && !st) {
    // The parent must exist, as the kubelet does not create it either.
    const f = await open(path, 'a', 0o644).catch((e: NodeJS.ErrnoException) => {
      throw new Error(`hostPath type check failed: ${path}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
    });
    await f.close();
    return;
  }
  const kind = kinds[type.replace(/OrCreate$/, '')];
  if (!kind) throw new Error(`${type} is an invalid volume type`);
  if (!st || !kind.test(st)) throw new Error(`hostPath type check failed: ${path} is not ${kind.what}`);
}
