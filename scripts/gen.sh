#!/usr/bin/env bash
# Regenerates gen/ from proto/: ts-proto stubs and the descriptor set that
# server reflection serves (built with imports so grpcurl can resolve every type).
# `scripts/gen.sh --check` (part of npm test) runs buf lint and buf breaking against the
# released contracts, and fails when the committed gen/ is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=node_modules/.bin/buf

# The contracts as released: a change that would break a client built against them fails
# `npm test`. At a release, add that release's descriptor set here and point RELEASED at it.
RELEASED=proto/released/v0.1.0.binpb

if [[ "${1:-}" == "--check" ]]; then
  "$BUF" lint
  "$BUF" breaking --against "$RELEASED"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$BUF" generate --template buf.gen.yaml -o "$tmp"
  "$BUF" build --as-file-descriptor-set -o "$tmp/gen/descriptors.binpb"
  if ! diff -r gen "$tmp/gen" >/dev/null; then
    diff -r gen "$tmp/gen" | head -20 >&2
    echo "gen/ is stale: run 'npm run gen' and commit the result" >&2
    exit 1
  fi
  echo "gen/ is fresh"
  exit 0
fi

"$BUF" lint
rm -rf gen
"$BUF" generate --template buf.gen.yaml
"$BUF" build --as-file-descriptor-set -o gen/descriptors.binpb
echo "generated gen/ from proto/"
