#!/usr/bin/env bash
# Installs the Debian packages the network suites need (real routers and real clients), when
# running as root and any is missing (podman, buildah and runc: make image and its suite;
# prometheus: promtool checks and tests the alert rules in config/monitoring, and
# `herald-lab up --prometheus` runs its server).
# Without root it says loudly what the suites will skip.
set -euo pipefail
packages=(bird2 frr gobgpd iproute2 iputils-ping iputils-arping ndisc6 tcpdump nftables curl podman buildah runc prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "!!! not root: cannot install ${missing[*]}; the network suites that need them will be SKIPPED" >&2
  exit 0
fi
echo "installing apt packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
