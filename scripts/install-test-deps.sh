#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need: the one place they are listed.
#   scripts/install-test-deps.sh --build   only the build toolchain (JDK 17, Maven), when javac 17+ or mvn is missing
#   scripts/install-test-deps.sh           the build toolchain, then the test packages
# Idempotent: installs only what is missing, runs apt-get update at most once.
set -euo pipefail

# The build: `make build` / `make demo` need javac (17 or later) and mvn. Debian's maven takes its
# dependencies and plugins from Maven Central like any other Maven.
JDK_PACKAGE=openjdk-17-jdk-headless
MAVEN_PACKAGE=maven

# nftables: the nft binary is the independent oracle of the nftables-mode tests (nft list / nft -f); the
# daemon itself never runs it. gcc, libc6-dev, linux-libc-dev: NativeConstantsTest compiles native/ipvs_constants.c against the
# kernel's UAPI headers (linux/ip_vs.h, linux/rtnetlink.h...). shellcheck: ShellScriptsTest lints the
# project's shell scripts with it. curl: the fault tests scrape /metrics and /healthz inside a namespace.
# busybox: the kind e2e driver's request commands are also run with busybox's dd and timeout, the
# ones its agnhost pods (Alpine) have (PodRequestsTest).
PACKAGES=(iptables nftables ipset conntrack nfacct iproute2 socat nmap tcpdump gcc libc6-dev linux-libc-dev shellcheck curl busybox debootstrap)

build_only=false
if [ "${1:-}" = "--build" ]; then
    build_only=true
fi

# A toolchain already on PATH (Debian's or not) is used as it is: only a missing one is installed.
java_ok() {
    command -v javac >/dev/null 2>&1 || return 1
    local major
    major=$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
    [ -n "$major" ] && [ "$major" -ge 17 ]
}

missing=()
if ! java_ok; then
    missing+=("$JDK_PACKAGE")
fi
if ! command -v mvn >/dev/null 2>&1; then
    missing+=("$MAVEN_PACKAGE")
fi
if ! $build_only; then
    for pkg in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
fi

if [ "${#missing[@]}" -eq 0 ]; then
    if $build_only; then
        echo "install-test-deps: build toolchain present (javac 17+, mvn)"
    else
        echo "install-test-deps: build toolchain and all test packages present (${PACKAGES[*]})"
    fi
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if $build_only; then
        echo "install-test-deps: NOT ROOT, cannot install the build toolchain: ${missing[*]}" >&2
        echo "install-test-deps: install JDK 17 and Maven (Debian: apt-get install $JDK_PACKAGE $MAVEN_PACKAGE), or run as root" >&2
        exit 1
    fi
    echo "!!!!! install-test-deps: NOT ROOT, cannot install: ${missing[*]}" >&2
    echo "!!!!! Kernel tests (@Tag(\"kernel\"): network namespaces, iptables nft/legacy, nfacct) will be SKIPPED," >&2
    echo "!!!!! or FAIL when SVCPROXY_REQUIRE_KERNEL_TESTS=1. Run this script as root to install them." >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
