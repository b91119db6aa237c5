#!/usr/bin/env bash
# Makes sure Debian's Chromium is on this machine, so the console's browser tests can drive it headless
# (playwright-core with executablePath /usr/bin/chromium: a test tool's own browser download cannot reach
# the internet here). Installs the chromium package when missing and we are allowed to (root). Never
# fails the test run: without Chromium the browser suite says so by name and skips.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: installing Debian's chromium package (headless browser for the console's browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
  else
    echo "chromium: the install failed; the browser suite will be skipped" >&2
  fi
else
  echo "chromium: /usr/bin/chromium not found and not root; install it (Debian: sudo apt-get install -y chromium) or the browser suite is skipped" >&2
fi
exit 0
