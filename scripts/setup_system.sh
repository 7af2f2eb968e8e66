#!/usr/bin/env bash
# Installs the system packages OpenReel's renderers and browser tests need, when they are missing
# and the machine allows it (root with apt-get): Debian's chromium (browser tests, parity checks)
# and the Noto fonts used as fallback for scripts and emoji the shipped fonts lack.
# Safe to run repeatedly; prints what it does; never fails the build when it cannot install.
set -u
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
for pkg in fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing system packages (${need[*]}); install them with apt-get as root." >&2
  echo "setup: tests that need them are skipped with a reason." >&2
  exit 0
fi
echo "setup: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || echo "setup: apt-get update failed" >&2
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "setup: could not install ${need[*]}; dependent tests will be skipped" >&2
exit 0
