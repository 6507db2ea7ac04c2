#!/usr/bin/env bash
# The whole test suite, from a fresh clone: system packages, dependencies, the pinned real CLIs,
# build, unit/integration/end-to-end tests, the resume conformance suite, and a small benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v zsh >/dev/null 2>&1 || need_apt+=(zsh)
command -v fish >/dev/null 2>&1 || need_apt+=(fish)
if [ ${#need_apt[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
	else
		echo "test-all: please install: ${need_apt[*]}" >&2
	fi
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
echo "== real CLIs (pinned, cached outside the project)"
npx tsx scripts/install-clis.ts
echo "== build"
npm run build
echo "== tests"
npx vitest run
if [ -f test/conformance/run.ts ]; then
	echo "== resume conformance"
	npx tsx test/conformance/run.ts
fi
if [ -f scripts/bench.ts ]; then
	echo "== benchmark (small; reports, never fails on a slow machine)"
	npx tsx scripts/bench.ts --scale small || echo "bench: failed to run (see above)"
fi
