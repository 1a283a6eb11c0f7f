#!/usr/bin/env bash
# Brings the toolchain the project develops on: Node 24 when the system Node is older than 22.12,
# the pnpm pinned in package.json's packageManager, and redis-server when it is missing.
# Sourced by ./bw and .ci/run; idempotent, so a second run costs a version check.
set -euo pipefail

BW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BW_TOOLS="$BW_ROOT/.toolchain"
BW_NODE_VERSION="24.21.0"

bw_log() { printf '[toolchain] %s\n' "$*" >&2; }

bw_node_ok() {
  # true when `node` on PATH is >= 22.12
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'
}

bw_ensure_node() {
  export PATH="$BW_TOOLS/node_modules/.bin:$PATH"
  if bw_node_ok; then return 0; fi
  bw_log "system node $(node -v 2>/dev/null || echo none) is older than 22.12: installing node@$BW_NODE_VERSION into .toolchain/"
  mkdir -p "$BW_TOOLS"
  [ -f "$BW_TOOLS/package.json" ] || printf '{ "name": "breakwater-toolchain", "private": true }\n' > "$BW_TOOLS/package.json"
  # npm 11 skips install scripts until approved; node@24's preinstall fetches the binary package,
  # so it is run explicitly below when npm skipped it.
  npm install --prefix "$BW_TOOLS" --save-exact --no-audit --no-fund --loglevel=error "node@$BW_NODE_VERSION" >&2
  if ! "$BW_TOOLS/node_modules/node/bin/node" -v >/dev/null 2>&1; then
    (cd "$BW_TOOLS/node_modules/node" && node installArchSpecificPackage) >&2
  fi
  hash -r
  bw_node_ok || { bw_log "node@$BW_NODE_VERSION did not install"; return 1; }
}

bw_ensure_pnpm() {
  local want
  want="$(node -p 'require(process.argv[1]).packageManager.split("@")[1].split("+")[0]' "$BW_ROOT/package.json")"
  export PATH="$BW_TOOLS/node_modules/.bin:$PATH"
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm -v 2>/dev/null)" = "$want" ]; then return 0; fi
  bw_log "installing pnpm@$want into .toolchain/"
  mkdir -p "$BW_TOOLS"
  [ -f "$BW_TOOLS/package.json" ] || printf '{ "name": "breakwater-toolchain", "private": true }\n' > "$BW_TOOLS/package.json"
  npm install --prefix "$BW_TOOLS" --save-exact --no-audit --no-fund --loglevel=error "pnpm@$want" >&2
  hash -r
  [ "$(pnpm -v)" = "$want" ] || { bw_log "pnpm@$want did not install"; return 1; }
}

bw_ensure_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  bw_log "redis-server missing: installing Debian's redis-server"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >&2
  # The package starts a system service on 6379; tests never use it, so leave it alone.
}

bw_ensure_deps() {
  # Reinstall when the lockfile changed since the last install.
  local stamp="$BW_ROOT/node_modules/.bw-lock-stamp"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$BW_ROOT/pnpm-lock.yaml"; then return 0; fi
  (cd "$BW_ROOT" && pnpm install --frozen-lockfile >&2)
  cp "$BW_ROOT/pnpm-lock.yaml" "$stamp"
}

bw_toolchain() {
  bw_ensure_node
  bw_ensure_pnpm
  bw_ensure_redis
  bw_ensure_deps
}
