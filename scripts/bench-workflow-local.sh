#!/usr/bin/env bash
# .github/workflows/bench.yml's steps, here: a clean clone of this checkout's HEAD, then the workflow's commands in
# the workflow's order (npm ci, npm test, the gate against BASE), with $GITHUB_STEP_SUMMARY pointing at a file.
# Not run here: actions/checkout (the clone stands in for it; it has the whole history, as fetch-depth: 0 gives),
# setup-node (Node 20 is this machine's), the apt-get install of redis-server (.ci/run does it when it is missing)
# and the upload. cli/bench-workflow.test.ts checks that the commands below are the workflow's.
#   usage: scripts/bench-workflow-local.sh <base-ref> [--skip-tests]
set -euo pipefail
base="${1:?usage: scripts/bench-workflow-local.sh <base-ref> [--skip-tests]}"
root="$(cd "$(dirname "$0")/.." && pwd)"
BASE_SHA="$(git -C "$root" rev-parse --verify "$base^{commit}")"
export BASE_SHA
work="$(mktemp -d "${TMPDIR:-/tmp}/authbench-workflow-XXXXXX")"
git clone --quiet --no-hardlinks "$root" "$work/repo"
cd "$work/repo"
export GITHUB_STEP_SUMMARY="$work/step-summary.md"
echo "workflow steps in $work/repo: head $(git rev-parse --short HEAD), base $BASE_SHA"

# workflow-step: npm ci --no-audit --no-fund
npm ci --no-audit --no-fund
if [ "${2:-}" != "--skip-tests" ]; then
  # workflow-step: npm test
  npm test
fi
# workflow-step: npm run bench:ci -- --base "$BASE_SHA"
status=0
npm run bench:ci -- --base "$BASE_SHA" || status=$?

echo "gate exit code: $status; job summary: $GITHUB_STEP_SUMMARY; reports: $work/repo/results/ci/"
exit "$status"
