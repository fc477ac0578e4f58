# Shared settings for the real-apiserver scripts (sourced, not run).
# The one kube-apiserver Debian can give us without a registry: the upstream tree inside the
# bookworm `kubernetes` source package. The version pins the cache key and the apt-get source.
# Any Debian revision of this upstream version will do (bookworm's security updates bump the
# revision, and the mirror keeps only the newest); the one built from is recorded in the stamp.
KUBE_SRC_PACKAGE=kubernetes
KUBE_SRC_UPSTREAM=1.20.5+really1.20.2
KUBE_VERSION=1.20.2
DEBIAN_MIRROR=${HERALD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SUITE=bookworm

CACHE_ROOT=${HERALD_CACHE_DIR:-${HOME:-/root}/.cache/herald}
CACHE_DIR="$CACHE_ROOT/kube-apiserver-$KUBE_VERSION"
APISERVER_BIN="$CACHE_DIR/kube-apiserver"
# What the binary was built from; a different stamp means "rebuild".
BUILD_STAMP_FILE="$CACHE_DIR/build-stamp"

# apt packages: the Go toolchain and rsync that the upstream Makefile needs, dpkg-dev for
# apt-get source, Debian's reflect2 1.0.2 (see build), and etcd to run against.
APT_PACKAGES=(golang-go rsync dpkg-dev golang-github-modern-go-reflect2-dev etcd-server make gcc openssl curl)

say() { echo "real-apiserver: $*" >&2; }
die() { echo "!!! real-apiserver: $*" >&2; exit 1; }
