#!/usr/bin/env bash
# Installs everything the tests need, then runs every test:
#  - a virtual environment in .venv (Debian's and Ubuntu's system Python refuse
#    `pip install`, PEP 668) with this package and its test extras from pyproject.toml;
#  - Debian's chromium for the browser tests, if it is missing (apt-get update first);
#  - the npm packages pinned in package-lock.json (axe-core), if package.json exists.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ -f package.json ]; then
  npm ci --silent --no-audit --no-fund
fi
exec .venv/bin/python -m pytest "$@"
