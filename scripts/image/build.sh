#!/usr/bin/env bash
# make image: Herald's container image, built here from Debian packages alone (no registry).
#   1. the base: build-base.sh (Debian's libraries and the pinned Node 24, no shell);
#   2. the app: the Dockerfile's build stage done on this machine (npm ci --omit=dev into a staging
#      copy, the dist/src that `make build` made, trim-app.sh), then Containerfile on top of the base.
# Environment: IMAGE (default localhost/herald:dev), HERALD_IMAGE_CACHE (default /var/tmp/herald-image).
# Nothing is rebuilt when no input changed (the image carries a hash of its inputs as a label).
# Prints the image reference on stdout, everything else on stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/scripts/image"
cache="${HERALD_IMAGE_CACHE:-/var/tmp/herald-image}"
image="${IMAGE:-localhost/herald:dev}"
pkgs=(shared controller speaker)
say() { echo "image: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "needs root (Debian's podman runs rootful here)"; exit 1; }
for t in podman runc apt-get dpkg-deb npm; do command -v "$t" >/dev/null || { say "missing $t (scripts/apt-deps.sh installs podman, buildah, runc)"; exit 1; }; done
for p in "${pkgs[@]}"; do [ -f "$root/$p/dist/src/bin.js" ] || [ "$p" = shared ] || { say "no $p/dist/src/bin.js: run make build first"; exit 1; }; done
for p in controller speaker; do [ -f "$root/$p/dist/bundle/herald-$p.js" ] || { say "no $p/dist/bundle/herald-$p.js: run make build first (it bundles after tsc -b)"; exit 1; }; done
mkdir -p "$cache"

base="$("$here/build-base.sh")"

# Production node_modules, staged once per lockfile (npm ci --omit=dev: what the Dockerfile's
# npm ci + npm prune --omit=dev leave).
lockfiles=("$root/package.json" "$root/package-lock.json" "$root/.npmrc" "$root"/{testkit,shared,controller,speaker,lab,cli,bench,test}/package.json)
mkey="$(sha256sum "${lockfiles[@]}" | awk '{print $1}' | sha256sum | cut -c1-16)"
modules="$cache/modules-$mkey"
if [ ! -d "$modules/node_modules" ]; then
  say "installing production node_modules (npm ci --omit=dev)"
  tmp="$(mktemp -d "$cache/modules.XXXXXX")"
  cp "$root/package.json" "$root/package-lock.json" "$root/.npmrc" "$tmp/"
  for w in testkit shared controller speaker lab cli bench test; do mkdir -p "$tmp/$w" && cp "$root/$w/package.json" "$tmp/$w/"; done
  (cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2)
  rm -rf "$modules"
  mv "$tmp" "$modules"
fi

# The staged build stage: context/src is what /src is in the Dockerfile's build stage.
ctx="$(mktemp -d "$cache/context.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
src="$ctx/src"
mkdir -p "$src"
cp "$root/package.json" "$src/"
cp -a "$modules/node_modules" "$src/node_modules"
for p in "${pkgs[@]}"; do
  mkdir -p "$src/$p/dist"
  cp "$root/$p/package.json" "$src/$p/"
  cp -a "$root/$p/dist/src" "$src/$p/dist/src"
  if [ "$p" != shared ]; then cp -a "$root/$p/dist/bundle" "$src/$p/dist/bundle"; fi
done
cp -a "$here/herald-entrypoint" "$src/herald-entrypoint"
sh "$here/trim-app.sh" "$src"

key="$( (echo "$base"; cd "$ctx" && find src -path src/node_modules -prune -o -type f -print0 | sort -z | xargs -0 sha256sum; echo "$mkey"; sha256sum "$here/Containerfile" "$here/build.sh" "$here/trim-app.sh") | sha256sum | cut -c1-16)"
have="$(podman image inspect "$image" --format '{{index .Labels "dev.herald.input"}}' 2>/dev/null || true)"
if [ "$have" = "$key" ]; then
  say "$image is up to date (inputs $key)"
  echo "$image"
  exit 0
fi

n="$(ulimit -Hn)"; [ "$n" = unlimited ] || [ "$n" -gt 4096 ] && n=4096
say "building $image on $base"
podman build -q --runtime runc --ulimit "nofile=$n:$n" --ulimit nproc=4096:4096 \
  --build-arg "BASE=$base" --label "dev.herald.input=$key" --label "dev.herald.base=$base" \
  -f "$here/Containerfile" -t "$image" "$ctx" >/dev/null
size="$(podman image inspect "$image" --format '{{.Size}}')"
say "built $image: $((size / 1000000)) MB ($(podman image inspect "$base" --format '{{.Size}}' | awk '{printf "%d", $1/1000000}') MB of it the base)"
echo "$image"
