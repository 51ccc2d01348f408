#!/usr/bin/env bash
# Regenerates gen/ from proto/: ts-proto stubs and the descriptor set that
# server reflection serves (built with imports so grpcurl can resolve every type).
# `scripts/gen.sh --check` fails when the committed gen/ is stale.
# Both first check the contracts: buf lint, and buf breaking against the newest
# released contract (proto/released/vX.Y.Z.binpb, recorded at each release).
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=node_modules/.bin/buf

# buf.yaml leaves RPC_SAME_IDEMPOTENCY_LEVEL out of its breaking rules because buf counts
# declaring a level where there was none as breaking (Connect clients send NO_SIDE_EFFECTS
# calls as HTTP GET; these services speak gRPC only). This second pass keeps the rest of
# that rule: a level, once released, never changes or goes away.
IDEMPOTENCY_ONLY='{"version":"v2","modules":[{"path":"proto"}],"breaking":{"use":["RPC_SAME_IDEMPOTENCY_LEVEL"]}}'

check_contracts() {
  local released changes rc=0
  released="$(ls proto/released/v*.binpb | sort -V | tail -1)"
  "$BUF" lint
  "$BUF" breaking --against "$released"
  changes="$("$BUF" breaking --against "$released" --config "$IDEMPOTENCY_ONLY" --error-format json)" || rc=$?
  if [[ $rc -ne 0 && $rc -ne 100 ]]; then return "$rc"; fi
  changes="$(grep -v 'from \\"IDEMPOTENCY_UNKNOWN\\" to' <<<"$changes" || true)"
  if [[ -n "$changes" ]]; then
    echo "$changes" >&2
    echo "an idempotency_level released in $released changed: clients may retry on it; declare it on a new method instead" >&2
    return 1
  fi
}

check_contracts

if [[ "${1:-}" == "--check" ]]; then
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

rm -rf gen
"$BUF" generate --template buf.gen.yaml
"$BUF" build --as-file-descriptor-set -o gen/descriptors.binpb
echo "generated gen/ from proto/"
