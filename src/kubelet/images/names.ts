/**
 * @module Names of the images tugboat builds itself from Debian's busybox-static. A registry-style
 * domain (`tugboat.local`) keeps ctr and CRI from rewriting them to `docker.io/…`, and a tag other
 * than `latest` makes Kubernetes default to imagePullPolicy IfNotPresent, so pods use the local copy.
 */

/** CRI's sandbox ("pause") image: busybox whose PID 1 sleeps until SIGTERM/SIGKILL. */
export const SANDBOX_IMAGE = 'tugboat.local/pause:1';
/** A general-purpose busybox image (sh, httpd, wget, nc, …) for examples and tests. */
export const TEST_IMAGE = 'tugboat.local/busybox:1';

/** The busybox-static binary the images are built from. */
export const BUSYBOX_BINARY = '/usr/bin/busybox';

// Docker's reference grammar, simplified: lowercase path components, optional domain[:port].
const NAME_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/** Throws a clear error unless `name:tag` is a valid image reference. */
export function checkImageName(name: string, tag: string): void {
  if (!NAME_RE.test(name)) throw new Error(`invalid image name "${name}": want lowercase path components such as "tugboat.local/busybox"`);
  if (!TAG_RE.test(tag)) throw new Error(`invalid image tag "${tag}": want letters, digits, '_', '.' or '-' (at most 128)`);
}
