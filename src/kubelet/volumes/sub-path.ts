/**
 * @module subPath and subPathExpr of a volumeMount (the kubelet's makeMounts): the path is checked
 * (relative, no `..`), created with the volume's mode when missing, and must resolve inside the
 * volume, so a symlink in a writable volume cannot expose the host.
 */
import { chmodSync, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import type { Obj } from '../../client/client.js';
import { ContainerConfigError } from '../spec/errors.js';
import { expand, mappingFuncFor } from '../spec/expansion.js';
import { extractFieldPathAsString } from '../spec/field-path.js';

/**
 * The variables subPathExpr may use that are known before the container exists: literal env
 * values and metadata fieldRefs (the kubelet's full env also has configMap/secret values).
 */
function staticEnv(pod: Obj, container: Obj, podIPs: string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) {
    if (e.value !== undefined && e.value !== '') env.set(e.name, expand(String(e.value), mappingFuncFor(env)));
    const path = e.valueFrom?.fieldRef?.fieldPath;
    if (path === 'status.podIP' && podIPs[0]) env.set(e.name, podIPs[0]);
    else if (path === 'spec.nodeName' && pod.spec?.nodeName) env.set(e.name, pod.spec.nodeName);
    else if (typeof path === 'string' && path.startsWith('metadata.')) {
      try { env.set(e.name, extractFieldPathAsString(pod, path)); } catch { /* a bad path is reported by env resolution */ }
    }
  }
  return env;
}

/** The subPath of the mount ('' for none), with subPathExpr expanded. Throws ContainerConfigError. */
export function mountSubPath(pod: Obj, container: Obj, mount: Obj, podIPs: string[]): string {
  if (!mount.subPathExpr) return mount.subPath ?? '';
  const env = staticEnv(pod, container, podIPs);
  const missing = new Set<string>();
  const out = expand(String(mount.subPathExpr), (k) => {
    const v = env.get(k);
    if (!v) missing.add(k);
    return v ?? '';
  });
  if (missing.size) throw new ContainerConfigError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

/** The host path to bind for `subPath` inside the volume at `volumePath`. Throws ContainerConfigError. */
export function prepareSubPath(volumePath: string, subPath: string, mountName: string, containerName: string): string {
  if (subPath.startsWith('/')) throw new ContainerConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new ContainerConfigError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  const target = join(volumePath, posix.normalize(subPath));
  try {
    if (!existsSync(target)) {
      const mode = statSync(volumePath).mode & 0o7777;
      let dir = volumePath;
      for (const part of posix.normalize(subPath).split('/').filter(Boolean)) {
        dir = join(dir, part);
        if (!existsSync(dir)) {
          mkdirSync(dir, { mode });
          chmodSync(dir, mode);
        }
      }
    }
  } catch {
    // Details stay in the node's logs: they could tell about the host's file system.
    throw new ContainerConfigError(`failed to create subPath directory for volumeMount "${mountName}" of container "${containerName}"`);
  }
  const root = realpathSync(volumePath);
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${mountName}" of container "${containerName}"`);
  }
  if (real !== root && !real.startsWith(root + sep)) {
    throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${mountName}" of container "${containerName}"`);
  }
  return real;
}
