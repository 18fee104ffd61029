/**
 * @module Pod cgroups on the cgroupfs driver: where a pod's cgroup parent is
 * (`<cgroupRoot>/<burstable|besteffort>/pod<uid>`, Guaranteed pods directly under the root, as
 * the kubelet lays them out) and their removal from every hierarchy when the pod is gone, since
 * runc leaves the parent directories it created behind.
 */
import { readdir, rmdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Obj } from '../../client/client.js';
import { qosClass } from './qos.js';

export const CgroupFsRoot = '/sys/fs/cgroup';

/** The pod's cgroup parent (a path inside each hierarchy). */
export function podCgroupParent(pod: Obj, cgroupRoot: string): string {
  const qos = qosClass(pod);
  const base = qos === 'Guaranteed' ? cgroupRoot : posix.join(cgroupRoot, qos.toLowerCase());
  return posix.join('/', base, `pod${pod.metadata?.uid}`);
}

/** The hierarchies under the cgroup mount: one for cgroup v2, else every v1 controller directory (not the cpu→cpu,cpuacct links). */
async function hierarchies(fsRoot: string): Promise<string[]> {
  const entries = await readdir(fsRoot, { withFileTypes: true }).catch(() => []);
  if (entries.some((e) => e.name === 'cgroup.controllers')) return [fsRoot];
  return entries.filter((e) => e.isDirectory()).map((e) => join(fsRoot, e.name));
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** rmdir of a cgroup and its children, deepest first (a cgroup's files go with its directory). */
async function removeTree(dir: string): Promise<void> {
  let children;
  try {
    children = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isMissing(e)) return;
    throw e;
  }
  for (const c of children) if (c.isDirectory()) await removeTree(join(dir, c.name));
  try {
    await rmdir(dir);
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
}

/**
 * Removes the pod's cgroup directories in every hierarchy, children first; missing ones are
 * fine. Rejects (after trying every hierarchy) when one is still busy, e.g. a process is in it.
 */
export async function removePodCgroups(cgroupParent: string, fsRoot = CgroupFsRoot): Promise<void> {
  const rel = posix.normalize(`/${cgroupParent}`);
  if (rel === '/' || rel.split('/').includes('..')) throw new Error(`refusing to remove cgroup ${JSON.stringify(cgroupParent)}`);
  const failures: string[] = [];
  for (const h of await hierarchies(fsRoot)) {
    try {
      await removeTree(join(h, rel));
    } catch (e) {
      failures.push(`${join(h, rel)}: ${(e as Error).message}`);
    }
  }
  if (failures.length) throw new Error(`could not remove pod cgroups: ${failures.join('; ')}`);
}

/** The cgroup parents of the pods under cgroupRoot found in any hierarchy (sorted, unique). */
export async function listPodCgroups(cgroupRoot: string, fsRoot = CgroupFsRoot): Promise<string[]> {
  const found = new Set<string>();
  const root = posix.join('/', cgroupRoot);
  for (const h of await hierarchies(fsRoot)) {
    for (const sub of [root, posix.join(root, 'burstable'), posix.join(root, 'besteffort')]) {
      const entries = await readdir(join(h, sub), { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory() && /^pod./.test(e.name)) found.add(posix.join(sub, e.name));
    }
  }
  return [...found].sort();
}

