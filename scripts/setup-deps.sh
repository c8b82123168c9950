#!/usr/bin/env bash
# Installs every Debian package Tandem's build, tests, demo and benchmarks need.
# Idempotent: a machine that already has them all is left untouched (no apt-get update).
set -euo pipefail

packages=(
  # toolchain
  g++ clang cmake ninja-build ccache pkg-config make
  # libraries
  libboost-dev libnl-3-dev libnl-route-3-dev libnl-genl-3-dev
  libcurl4-openssl-dev libssl-dev libgtest-dev libgmock-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libsystemd-dev
  # integration tests, demo and benchmarks
  iproute2 tcpdump keepalived python3 procps
  # tandemd --diagnose reads the firewall through these (and the integration test breaks it with them)
  nftables iptables
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

# Debian's keepalived is only a peer and a reference for tests: never let its
# package scripts start a system-wide daemon on this machine.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made_policy=1
fi
trap '[ $made_policy -eq 1 ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# keepalived.service would start on a later boot if a config appeared; keep it off.
systemctl disable keepalived.service >/dev/null 2>&1 || true
