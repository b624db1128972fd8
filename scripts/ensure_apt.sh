#!/usr/bin/env bash
# Make sure a Debian package the tests need is installed; install it with apt-get if not.
#   bash scripts/ensure_apt.sh NAME CHECK PACKAGE...
# NAME names the caller in messages, CHECK is a shell test that succeeds when the
# tools are present (e.g. '[ -x /usr/bin/chromium ]'), PACKAGE... go to apt-get.
# If they are missing and cannot be installed (not root, no apt-get, no network),
# print why. Under CI (the CI variable set) that is a failure (exit 1): nothing
# may skip there. Elsewhere exit 0, and the tests that need them skip with a
# message naming the caller.
set -uo pipefail

name=$1 check=$2
shift 2

if eval "$check"; then
    exit 0
fi

give_up() {
    if [ -n "${CI:-}" ]; then
        echo "$name: CI is set, so this is an error: the tests that need $* must run in CI." >&2
        exit 1
    fi
    echo "$name: the tests that need $* will be skipped." >&2
    exit 0
}

why=""
if [ "$(id -u)" -ne 0 ]; then
    why="not running as root"
elif ! command -v apt-get >/dev/null 2>&1; then
    why="apt-get is not available"
fi
if [ -n "$why" ]; then
    echo "$name: $* missing and cannot be installed ($why); install with 'sudo apt-get install -y $*'." >&2
    give_up "$@"
fi

echo "$name: installing $* with apt-get (about a minute) ..."
log=$(mktemp)
if DEBIAN_FRONTEND=noninteractive apt-get update >"$log" 2>&1 \
   && DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$log" 2>&1 \
   && eval "$check"; then
    echo "$name: installed $*"
    rm -f "$log"
    exit 0
fi
echo "$name: could not install $*; last lines of the apt-get log:" >&2
tail -n 15 "$log" >&2
rm -f "$log"
give_up "$@"
