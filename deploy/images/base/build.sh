#!/usr/bin/env bash
# Builds a Debian bookworm base image with Python 3.11 from Debian's packages, without any registry:
# debootstrap into a folder, then `podman import`. Usage: build.sh IMAGE (e.g. localhost/shop-base:bookworm).
# Cached: an image built by this very script (its hash in a label) is kept; `podman rmi IMAGE` forces a rebuild.
set -euo pipefail
image=${1:?usage: build.sh IMAGE}
key=$(sha256sum "$0" | cut -c1-16)
if [ "$(podman image inspect --format '{{index .Labels "shop.base.key"}}' "$image" 2>/dev/null)" = "$key" ]; then
  echo "$image is current (built by this script, key $key)"
  exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" http://deb.debian.org/debian
# The same package sources as the official images, so `apt-get install` works in later builds.
cat >"$root/etc/apt/sources.list" <<'SOURCES'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' --change "LABEL shop.base.key=$key" - "$image"
