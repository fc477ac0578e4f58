#!/usr/bin/env bash
# Builds Herald's base image from Debian packages and the pinned Node 24 binary, with no registry:
# a distroless-style root filesystem (node, the shared libraries ldd lists for node and for koffi's
# prebuilt linux-x64 addon, CA certificates, /etc/passwd with root and nonroot 65532, an empty
# /tmp) and no shell, package manager or coreutils. The libraries come out of the .deb files of the
# mirror apt already uses (apt-get download + dpkg-deb -x), so their versions are Debian's.
#
#   scripts/image/build-base.sh            prints the base image's reference on stdout
#
# The image is tagged localhost/herald-base:<key>, the key a hash of everything that goes in (this
# script, the node binary, the .deb files): when nothing changed it is not rebuilt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${HERALD_IMAGE_CACHE:-/var/tmp/herald-image}"
node_bin="$root/node_modules/node/bin/node"
koffi_node="$root/node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node"
packages=(libc6 libgcc-s1 libstdc++6 ca-certificates)
say() { echo "build-base: $*" >&2; }

[ -x "$node_bin" ] || { say "no pinned node binary at $node_bin (run npm ci)"; exit 1; }
[ -f "$koffi_node" ] || { say "no koffi prebuilt addon at $koffi_node (run npm ci)"; exit 1; }
"$node_bin" --version | grep -q '^v24\.' || { say "$node_bin is not Node 24"; exit 1; }

# 1. The .deb files, at the versions apt would install now (downloaded once, then kept).
debs="$cache/debs"
mkdir -p "$debs"
chmod 0777 "$debs" # apt-get download drops privileges to _apt
want=()
for p in "${packages[@]}"; do
  v="$(apt-cache policy "$p" | awk '/Candidate:/ {print $2}')"
  [ -n "$v" ] && [ "$v" != "(none)" ] || { say "apt knows no candidate for $p (apt-get update?)"; exit 1; }
  # Debian file names escape the epoch's colon as %3a.
  f="$(ls "$debs"/"${p}"_"${v/:/%3a}"_*.deb 2>/dev/null | head -n1 || true)"
  if [ -z "$f" ]; then
    (cd "$debs" && apt-get download -q "$p=$v" >&2)
    f="$(ls "$debs"/"${p}"_"${v/:/%3a}"_*.deb | head -n1)"
  fi
  want+=("$f")
done

key="$( (sha256sum "${BASH_SOURCE[0]}" "$node_bin" "$koffi_node" "${want[@]}" | awk '{print $1}') | sha256sum | cut -c1-16)"
ref="localhost/herald-base:$key"
if podman image exists "$ref"; then
  say "$ref is up to date"
  echo "$ref"
  exit 0
fi

# 2. Unpack the packages beside the root filesystem, then take only what the programs need.
work="$(mktemp -d "$cache/base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
pkgroot="$work/pkgroot"
rootfs="$work/rootfs"
mkdir -p "$pkgroot"
for f in "${want[@]}"; do dpkg-deb -x "$f" "$pkgroot"; done

mkdir -p "$rootfs"/{etc/ssl/certs,tmp,home/nonroot,usr/local/bin,usr/lib/x86_64-linux-gnu,usr/lib64,usr/share/doc,app}
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"
chmod 1777 "$rootfs/tmp"
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"

# Every library ldd lists for node and for the koffi addon, plus libc.so.6 (the speaker loads it
# through koffi), looked up by name in the unpacked packages (never copied from the host).
libs="$( (ldd "$node_bin"; ldd "$koffi_node") | awk '$1 ~ /\.so/ {print $1}' | grep -v '^linux-vdso' | xargs -n1 basename | sort -u)"
libs="$(printf '%s\nlibc.so.6\n' "$libs" | sort -u)"
for lib in $libs; do
  src="$(find "$pkgroot" -name "$lib" \( -type f -o -type l \) | head -n1)"
  [ -n "$src" ] || { say "$lib (needed by node or koffi) is in none of: ${packages[*]}"; exit 1; }
  if [ "$lib" = ld-linux-x86-64.so.2 ]; then
    cp -L "$src" "$rootfs/usr/lib/x86_64-linux-gnu/$lib"
    ln -s ../lib/x86_64-linux-gnu/"$lib" "$rootfs/usr/lib64/$lib"
  else
    cp -L "$src" "$rootfs/usr/lib/x86_64-linux-gnu/$lib"
  fi
done

# CA certificates: the bundle update-ca-certificates would write, from the package's PEM files.
cat "$pkgroot"/usr/share/ca-certificates/mozilla/*.crt > "$rootfs/etc/ssl/certs/ca-certificates.crt"
# The licences of what was taken.
for p in "${packages[@]}"; do
  d="$pkgroot/usr/share/doc/$p"
  [ -f "$d/copyright" ] && install -D -m 0644 "$d/copyright" "$rootfs/usr/share/doc/$p/copyright"
done
[ -f "$root/node_modules/node/README.md" ] && install -D -m 0644 "$root/node_modules/node/README.md" "$rootfs/usr/share/doc/node/README.md"

cat > "$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat > "$rootfs/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
chown 65532:65532 "$rootfs/home/nonroot"

# 3. Does node start in it? (chroot: the same loader and libraries the container will use.)
chroot "$rootfs" /usr/local/bin/node -e 'process.exit(process.versions.node.startsWith("24.") ? 0 : 1)' \
  || { say "node does not start in the assembled root filesystem"; exit 1; }

# 4. One layer, with reproducible metadata, imported as the base image.
tar --sort=name --mtime=@0 --numeric-owner -C "$rootfs" -cf "$work/rootfs.tar" .
podman import -q \
  --change 'ENV PATH=/usr/local/bin:/usr/bin' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'LABEL org.opencontainers.image.description="Herald base: Debian bookworm libraries and Node 24, no shell"' \
  --change "LABEL dev.herald.base.debs=\"$(printf '%s ' "${want[@]##*/}")\"" \
  "$work/rootfs.tar" "$ref" >/dev/null
say "built $ref ($(du -sh "$work/rootfs.tar" | cut -f1) uncompressed)"
echo "$ref"
