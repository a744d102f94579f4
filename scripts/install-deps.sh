#!/usr/bin/env bash
# install-deps.sh: everything headroom needs, from Debian 12 packages.
# Installs the build and test toolchain, then fetches civetweb's Debian *source*
# package into .deps/ (git-ignored) because the prebuilt libcivetweb1 loads
# the OpenSSL 1.1 API at run time and crashes on TLS under OpenSSL 3.
# Safe to run again: it skips what is already there.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"

packages=(
	build-essential pkg-config clang llvm libclang-rt-14-dev
	libcjson-dev libssl-dev libcurl4-openssl-dev libyaml-dev libcmocka-dev
	openssl curl ca-certificates python3 xz-utils valgrind wrk clang-format
)

sudo_if_needed() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_packages() {
	local p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

install_packages() {
	local missing
	missing=$(missing_packages)
	[ -z "$missing" ] && return 0
	echo "install-deps: installing:" $missing
	export DEBIAN_FRONTEND=noninteractive
	sudo_if_needed apt-get update -q
	# shellcheck disable=SC2086
	sudo_if_needed apt-get install -y -q --no-install-recommends $missing
}

# Download civetweb's source package with a private source list and state folder,
# so the system's apt configuration is never edited.
fetch_civetweb_source() {
	local src="$deps/civetweb"
	[ -f "$src/src/civetweb.c" ] && [ -f "$src/include/civetweb.h" ] && return 0
	mkdir -p "$deps/apt/lists/partial"
	local uri
	uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main" >"$deps/apt/src.list"
	local opts=(-o Dir::Etc::SourceList="$deps/apt/src.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$deps/apt/lists" -o APT::Sandbox::User=root)
	apt-get "${opts[@]}" update -q
	(cd "$deps" && apt-get "${opts[@]}" source --download-only civetweb)
	local tarball
	tarball=$(ls "$deps"/civetweb_*.orig.tar.* | head -n 1)
	rm -rf "$src" "$deps/civetweb-unpack"
	mkdir -p "$deps/civetweb-unpack"
	tar -xf "$tarball" -C "$deps/civetweb-unpack"
	mv "$deps/civetweb-unpack"/* "$src"
	rmdir "$deps/civetweb-unpack"
	echo "install-deps: civetweb source in $src"
}

# The manifest tests render manifests/ with `kubectl kustomize`. The machine
# image ships kubectl; if it is missing, Debian's kubernetes-client provides one.
ensure_kubectl() {
	command -v kubectl >/dev/null && return 0
	export DEBIAN_FRONTEND=noninteractive
	sudo_if_needed apt-get install -y -q --no-install-recommends kubernetes-client
}

install_packages
ensure_kubectl
fetch_civetweb_source
touch "$deps/installed.stamp"
echo "install-deps: done"
