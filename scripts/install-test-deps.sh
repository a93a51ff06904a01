#!/usr/bin/env bash
# Installs the Debian packages the tests need (kernel tests drive these tools in network namespaces).
# Idempotent: installs only what is missing, runs apt-get update at most once.
set -euo pipefail

# nftables: the nft binary is the independent oracle of the nftables-mode tests (nft list / nft -f); the
# daemon itself never runs it. gcc, libc6-dev, linux-libc-dev: NativeConstantsTest compiles native/ipvs_constants.c against the
# kernel's UAPI headers (linux/ip_vs.h, linux/rtnetlink.h...). shellcheck: ShellScriptsTest lints the
# project's shell scripts with it. curl: the fault tests scrape /metrics and /healthz inside a namespace.
# busybox: the kind e2e driver's request commands are also run with busybox's dd and timeout, the
# ones its agnhost pods (Alpine) have (PodRequestsTest).
PACKAGES=(iptables nftables ipset conntrack nfacct iproute2 socat nmap tcpdump gcc libc6-dev linux-libc-dev shellcheck curl busybox)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-test-deps: all test packages present (${PACKAGES[*]})"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "!!!!! install-test-deps: NOT ROOT, cannot install: ${missing[*]}" >&2
    echo "!!!!! Kernel tests (@Tag(\"kernel\"): network namespaces, iptables nft/legacy, nfacct) will be SKIPPED," >&2
    echo "!!!!! or FAIL when SVCPROXY_REQUIRE_KERNEL_TESTS=1. Run this script as root to install them." >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
