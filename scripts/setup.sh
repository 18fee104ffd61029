#!/usr/bin/env bash
# Installs what tugboat needs on a Debian 12 machine (as root): the Debian packages it drives
# and the npm dependencies. Safe to run again; installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# The node agent's runtime and pod network (nft for its masquerade and service tables); etcd for HA; a registry and
# htpasswd for the pull tests; nsenter (util-linux) for the test hosts; curl for the ingress tests.
packages=(etcd-server containerd runc containernetworking-plugins busybox-static iproute2 nftables docker-registry apache2-utils util-linux curl)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# The compiled build, which bin/tug runs (it falls back to the sources when the build is stale).
if [ ! -f dist/.build-stamp ] || [ -n "$(find src -newer dist/.build-stamp -print -quit)" ]; then
  npm run build --silent
fi
