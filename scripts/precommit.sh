#!/usr/bin/env bash
# What to run before committing: type-check and lint (the test suite is `npm test`).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p . && npx eslint . && npx prettier --check . > /dev/null && echo "typecheck, lint and format: ok"
