/**
 * @module emptyDir directories (and the wrapped emptyDirs of secret and projected volumes): a
 * 0777 directory on disk, or for medium Memory a tmpfs mounted there with size=sizeLimit.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { parseQuantity, value } from '../../apimachinery/quantity/index.js';
import { isMountPoint, mountTmpfs } from './mount.js';

/** Idempotent: an existing directory or mount is kept. Throws Error for a bad sizeLimit or a failed mount. */
export async function setUpEmptyDir(dir: string, o: { memory: boolean; sizeLimit?: string }): Promise<void> {
  const size = o.sizeLimit === undefined ? undefined : value(parseQuantity(String(o.sizeLimit)));
  await mkdir(dir, { recursive: true });
  if (o.memory && !(await isMountPoint(dir))) await mountTmpfs(dir, size || undefined);
  // Any user in the pod may write here, whatever the umask (the kubelet's 0777).
  await chmod(dir, 0o777);
}
