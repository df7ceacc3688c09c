#!/usr/bin/env bash
# Install the Debian packages Confab's setup needs, if they are missing.
#
#   tools/install_system_packages.sh PKG...
#
# Used by the Makefile (gettext for `make run`, chromium too for `make test`), so that both
# commands work on a fresh Debian machine. Installs only what dpkg does not already have,
# as root with apt-get, or through `sudo -n` (never a password prompt: CI and `make` must
# not hang). `apt-get update` runs only when the install fails for want of package lists,
# as on a fresh container. When nothing can be installed, says what to run and fails.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 PKG..." >&2
	exit 2
fi

missing=()
for pkg in "$@"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "install ok installed" ]; then
		missing+=("$pkg")
	fi
done
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

give_up() {
	echo "Confab needs these Debian packages, which are not installed: ${missing[*]}" >&2
	echo "$1" >&2
	echo "Install them, then run make again:" >&2
	echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
	give_up "This is not a Debian-like system (no apt-get), so they cannot be installed here."
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	give_up "Installing them needs root, and sudo is not available without a password."
fi

# With the recommended packages: chromium's bring the fonts (fonts-liberation) that pages
# and screenshots are drawn with.
apt_install() {
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

echo "Installing Debian packages: ${missing[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if apt_install >"$log" 2>&1; then
	exit 0
fi
# A fresh machine (a container image) has no package lists: "Unable to locate package",
# "has no installation candidate". Fetch them once and try again; any other failure is real.
if grep -qE "Unable to locate package|has no installation candidate|404 +Not Found" "$log"; then
	echo "The package lists are missing or stale; running apt-get update first."
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 || {
		cat "$log" >&2
		give_up "apt-get update failed (see above)."
	}
	if apt_install >"$log" 2>&1; then
		exit 0
	fi
fi
cat "$log" >&2
give_up "apt-get install failed (see above)."
