#!/usr/bin/env bash
# Every check CI runs, from the repository root: lint (ruff, import order and pyupgrade
# included), the format check, types (mypy: strict on the core packages), the layer
# contracts (import-linter) and the whole test suite. Runs them all, then exits non-zero
# if any failed, naming which.
#
#   scripts/check.sh                 # everything (the suite takes ~8 minutes on 2 cores)
#   scripts/check.sh -m 'not slow'   # arguments go to pytest
#
# Expects a virtualenv with the test extra, pinned as CI installs it:
#   python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e '.[test]'
# PYTHON overrides the interpreter (default: .venv/bin/python).
set -uo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
failed=()

step() {
    local name=$1
    shift
    echo "==> $name: $*" >&2
    if ! "$@"; then
        failed+=("$name")
    fi
}

step lint "$py" -m ruff check .
step format "$py" -m ruff format --check .
step types "$py" -m mypy
step layers "$py" -c 'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())'
step tests "$py" -m pytest "$@"

if ((${#failed[@]})); then
    echo "==> FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "==> all checks passed" >&2
