#!/usr/bin/env bash
# Captures the main screen of `sfs --demo` in real tmux into docs/screen.txt (for README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
session=sfs-readme-$$
tmux new-session -d -s "$session" -x 120 -y 32 "CI=false NO_COLOR=1 node dist/cli.js --demo"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
	pane=$(tmux capture-pane -p -t "$session")
	if echo "$pane" | head -1 | grep -Eq '[1-9][0-9]* sessions$' && ! echo "$pane" | grep -q 'capturing'; then break; fi
	sleep 0.2
done
sleep 1
mkdir -p docs
tmux capture-pane -p -t "$session" | sed 's/[[:space:]]*$//' > docs/screen.txt
echo "wrote docs/screen.txt"
