#!/bin/sh
# Test hosts for multi-node tugboat by hand and for CI clean-up: network namespaces joined by veth
# pairs to a root-namespace bridge on a private 10.250.X.0/24, as test/support/test-hosts.ts makes
# them (same names, so `down` also removes what a crashed test left).
#
#   scripts/test-hosts.sh up NAME N     bridge tthNAME, namespaces tthNAME-1..N (idempotent)
#   scripts/test-hosts.sh down NAME     removes them (idempotent)
#   scripts/test-hosts.sh down-all      removes every tth* namespace and link
#   scripts/test-hosts.sh list          lists tth* namespaces and links
#
# NAME is 4 hex digits. Run processes in a host with `nsenter --net=/var/run/netns/tthNAME-1 CMD`
# (`ip netns exec` remounts /sys and so hides the cgroup mounts containerd needs).
set -eu

usage() { echo "usage: $0 up NAME N | down NAME | down-all | list" >&2; exit 2; }

check_name() {
  case "$1" in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;;
    *) echo "$0: NAME must be 4 hex digits, got '$1'" >&2; exit 2 ;;
  esac
}

# The 10.250.X of an existing bridge, or a free one no route mentions.
pick_net() {
  existing=$(ip -4 -o addr show dev "$1" 2>/dev/null | sed -n 's/.* inet \(10\.250\.[0-9]*\)\.1\/24.*/\1/p')
  if [ -n "$existing" ]; then echo "$existing"; return; fi
  routes=$(ip -4 route show table all)
  for x in $(seq 1 254 | shuf); do
    case "$routes" in *"10.250.$x."*) continue ;; esac
    echo "10.250.$x"; return
  done
  echo "$0: no free 10.250.X.0/24" >&2; exit 1
}

up() {
  name=$1 n=$2 br="tth$1"
  case "$n" in ''|*[!0-9]*) usage ;; esac
  ip link show dev "$br" >/dev/null 2>&1 || ip link add name "$br" type bridge
  net=$(pick_net "$br")
  ip addr replace "$net.1/24" dev "$br"
  ip link set dev "$br" up
  i=1
  while [ "$i" -le "$n" ]; do
    ns="tth$name-$i" veth="tth${name}v$i"
    [ -e "/var/run/netns/$ns" ] || ip netns add "$ns"
    if ! ip link show dev "$veth" >/dev/null 2>&1; then
      ip link add name "$veth" type veth peer name eth0 netns "$ns"
    fi
    ip link set dev "$veth" master "$br" up
    ip -n "$ns" addr replace "$net.$((i + 10))/24" dev eth0
    ip -n "$ns" link set dev eth0 up
    ip -n "$ns" link set dev lo up
    ip -n "$ns" route replace default via "$net.1"
    nsenter --net="/var/run/netns/$ns" sysctl -q -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
    echo "$ns $net.$((i + 10))"
    i=$((i + 1))
  done
}

# down NS_PREFIX LINK_PREFIX: deleting a namespace deletes its veth, whose peer goes with it.
down() {
  for ns in $(ip netns list | awk '{print $1}' | grep "^$1" || true); do ip netns del "$ns"; done
  for link in $(list_links | grep "^$2" || true); do ip link del dev "$link" 2>/dev/null || true; done
}

list_links() { ip -o link show | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p' | grep '^tth' || true; }

case "${1:-}" in
  up) [ $# -eq 3 ] || usage; check_name "$2"; up "$2" "$3" ;;
  down) [ $# -eq 2 ] || usage; check_name "$2"; down "tth$2-" "tth$2" ;;
  down-all) [ $# -eq 1 ] || usage; down tth tth ;;
  list) [ $# -eq 1 ] || usage; ip netns list | awk '{print $1}' | grep '^tth' || true; list_links ;;
  *) usage ;;
esac
