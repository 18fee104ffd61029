/**
 * @module The two images tugboat makes itself (the sandbox "pause" image and the busybox test
 * image): built once per busybox binary into a directory, then imported where missing, so that
 * a second start costs one `ctr images ls`.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBusyboxImage, sha256File } from './busybox-image.js';
import { importImage, listImages } from './ctr.js';
import { BUSYBOX_BINARY, SANDBOX_IMAGE, TEST_IMAGE } from './names.js';

/**
 * The pause process: PID 1 of a pod sandbox. It must end on SIGTERM as well as SIGKILL, and PID 1
 * ignores signals it has no handler for — hence the shell's trap rather than a bare `sleep`.
 */
export const PAUSE_ENTRYPOINT = ['/bin/sh', '-c', 'sleep infinity & p=$!; trap "kill $p; exit 0" TERM INT; wait'];

interface LocalImageSpec { ref: string; entrypoint?: string[] }

const SPECS: Record<string, LocalImageSpec> = {
  [SANDBOX_IMAGE]: { ref: SANDBOX_IMAGE, entrypoint: PAUSE_ENTRYPOINT },
  [TEST_IMAGE]: { ref: TEST_IMAGE },
};

/**
 * The docker-archive tar of one of tugboat's own images in `dir`, built only when no tar for this
 * busybox binary is there yet (the file name carries the binary's hash, so an upgraded busybox
 * gets a new image). Safe when several processes share `dir`: each writes then renames.
 */
export async function localImageTar(ref: typeof SANDBOX_IMAGE | typeof TEST_IMAGE, dir: string, busybox = BUSYBOX_BINARY): Promise<string> {
  const spec = SPECS[ref];
  if (!spec) throw new Error(`"${ref}" is not an image tugboat builds (want ${SANDBOX_IMAGE} or ${TEST_IMAGE})`);
  let hash: string;
  try {
    hash = (await sha256File(busybox)).slice(0, 16);
  } catch {
    throw new Error(`busybox not found at ${busybox}: install the Debian package busybox-static`);
  }
  const base = spec.ref.slice(spec.ref.lastIndexOf('/') + 1).replace(':', '-');
  const out = join(dir, `${base}-${hash}.tar`);
  try {
    await access(out);
    return out;
  } catch {
    // not built yet
  }
  const colon = spec.ref.lastIndexOf(':');
  await buildBusyboxImage({ name: spec.ref.slice(0, colon), tag: spec.ref.slice(colon + 1), out, entrypoint: spec.entrypoint, busybox });
  return out;
}

/**
 * Makes sure containerd (at `endpoint`) has `ref`, one of tugboat's own images, building its tar
 * in `workDir` if needed. Returns true when it had to import. Idempotent.
 */
export async function ensureLocalImage(endpoint: string, ref: typeof SANDBOX_IMAGE | typeof TEST_IMAGE, workDir: string): Promise<boolean> {
  const present = await listImages(endpoint);
  if (present.some((i) => i.ref === ref)) return false;
  await importImage(endpoint, await localImageTar(ref, workDir));
  return true;
}

/** The sandbox image CRI's config names must exist before the first RunPodSandbox. */
export function ensureSandboxImage(endpoint: string, workDir: string): Promise<boolean> {
  return ensureLocalImage(endpoint, SANDBOX_IMAGE, workDir);
}
