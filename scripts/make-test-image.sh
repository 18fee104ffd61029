#!/usr/bin/env bash
# Makes tugboat's busybox test image (tugboat.local/busybox:1) from Debian's busybox-static as a
# docker-archive tar, and imports it into a containerd when given its socket. No network needed.
#   scripts/make-test-image.sh [OUT.tar] [unix:///path/containerd.sock | /path/containerd.sock]
# Default OUT: ./tugboat-busybox.tar. For `tug server`'s containerd the socket is
# /var/lib/tugboat/containerd/containerd.sock (tug server imports this image itself).
set -euo pipefail
out="$(realpath -m "${1:-tugboat-busybox.tar}")"
endpoint="${2:-}"
if [ -n "$endpoint" ] && [[ "$endpoint" != unix://* ]]; then endpoint="unix://$(realpath -m "$endpoint")"; fi
cd "$(dirname "$0")/.."
OUT="$out" ENDPOINT="$endpoint" exec node --import tsx --input-type=module -e '
import { buildBusyboxImage, importImage, TEST_IMAGE } from "./src/kubelet/images/index.ts";
try {
  const img = await buildBusyboxImage({ reference: TEST_IMAGE, out: process.env.OUT });
  console.log(`wrote ${img.ref} (${img.configDigest}) to ${img.out}`);
  if (process.env.ENDPOINT) {
    for (const name of await importImage(process.env.ENDPOINT, img.out)) console.log(`imported ${name} into ${process.env.ENDPOINT}`);
  }
} catch (e) {
  console.error(`make-test-image: ${e.message}`);
  process.exit(1);
}
'
