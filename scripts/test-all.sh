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
# PostgreSQL server for the sync suites' second backend.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
	else
		echo "test-all: please install: ${need_apt[*]}" >&2
	fi
fi

# The sync suites run on SQLite and on PostgreSQL. As root (CI) with Debian's postgresql: start
# its cluster, make a role that may CREATE DATABASE (each suite makes and drops its own databases)
# and hand its URL to vitest. Otherwise the tests start a private throwaway cluster themselves
# (test/support/postgres.ts). Under CI, PostgreSQL tests fail rather than skip when it is missing.
if [ "${CI:-}" = true ]; then export SFS_TEST_REQUIRE_POSTGRES=1; fi
if [ -z "${SFS_TEST_DATABASE_URL:-}" ] && [ "$(id -u)" = 0 ] && command -v pg_lsclusters >/dev/null 2>&1; then
	echo "== PostgreSQL"
	pg_cluster=$(pg_lsclusters --no-header | awk 'NR == 1 {print $1, $2}')
	if [ -z "$pg_cluster" ]; then
		pg_cluster="$(ls /usr/lib/postgresql | sort -n | tail -1) main"
		pg_createcluster ${pg_cluster} >/dev/null
	fi
	read -r pg_version pg_name <<<"$pg_cluster"
	pg_ctlcluster "$pg_version" "$pg_name" start 2>/dev/null || true
	pg_port=$(pg_lsclusters --no-header | awk -v v="$pg_version" -v n="$pg_name" '$1 == v && $2 == n {print $3}')
	for _ in $(seq 1 60); do
		pg_isready -q -h 127.0.0.1 -p "$pg_port" && break
		sleep 0.5
	done
	if pg_isready -q -h 127.0.0.1 -p "$pg_port"; then
		(cd / && runuser -u postgres -- psql -p "$pg_port" -v ON_ERROR_STOP=1 -qc "DO \$\$ BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sfs_test') THEN CREATE ROLE sfs_test LOGIN CREATEDB PASSWORD 'sfs_test'; END IF;
		END \$\$;" >/dev/null)
		export SFS_TEST_DATABASE_URL="postgres://sfs_test:sfs_test@127.0.0.1:${pg_port}/postgres"
		echo "PostgreSQL ${pg_version}/${pg_name} on port ${pg_port}: SFS_TEST_DATABASE_URL set"
	elif [ "${CI:-}" = true ]; then
		echo "test-all: PostgreSQL ${pg_version}/${pg_name} did not start" >&2
		exit 1
	fi
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
echo "== real CLIs (pinned, cached outside the project)"
npx tsx scripts/install-clis.ts
echo "== build"
npm run build
echo "== typecheck (source and tests)"
npx tsc -p tsconfig.test.json
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
