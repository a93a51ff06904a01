#!/usr/bin/env bash
# Proves the README's set-up on a fresh machine: builds a bare Debian bookworm root (debootstrap
# --variant=minbase), installs only git and make in it, clones this repository into it and runs
# `make demo` (or FRESH_CHECK_TARGETS) there as root, as a new user would, then `make test`'s set-up
# step and one test (FRESH_CHECK_TEST_SETUP=0 skips them). Needs root on the host.
#
#   scripts/fresh-machine-check.sh            # the committed HEAD of this checkout
#   FRESH_CHECK_REF=branch FRESH_CHECK_TARGETS="demo" scripts/fresh-machine-check.sh
#
# The Debian mirror is the one this machine's apt uses. Everything (mounts, processes, the root)
# is removed on exit, failed or not; FRESH_CHECK_KEEP=1 keeps the root for a look.
set -euo pipefail

repo=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
ref=${FRESH_CHECK_REF:-HEAD}
targets=${FRESH_CHECK_TARGETS:-demo}
suite=bookworm

if [ "$(id -u)" -ne 0 ]; then
    echo "fresh-machine-check: needs root (debootstrap, chroot, mounts)" >&2
    exit 1
fi

# The first deb URI this machine's apt has for the suite (deb822 .sources or one-line .list files).
mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v suite="$suite" '
            /^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
            /^URIs:/ { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
            END { if (uri != "" && ok) print uri }' "$f" | head -1
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2; exit }' "$f"
    done
}
mirror_uri=$(mirror | head -1)
if [ -z "$mirror_uri" ]; then
    echo "fresh-machine-check: no '$suite' mirror in this machine's apt sources" >&2
    exit 1
fi

if ! command -v debootstrap >/dev/null 2>&1; then
    echo "fresh-machine-check: installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
fi

work=$(mktemp -d /var/tmp/svcproxy-fresh.XXXXXX)
root=$work/root
log=$work/make.log
mounted=()
child=""

# shellcheck disable=SC2317  # run by the trap
cleanup() {
    local rc=$?
    set +e
    # The step running now (a signal interrupts `wait`, not the step): ended by its PID.
    if [ -n "$child" ]; then
        kill "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    # Whatever still runs inside the root (a build the check started): ended by PID.
    local p
    for p in /proc/[0-9]*; do
        if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then
            kill -9 "${p#/proc/}" 2>/dev/null
        fi
    done
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[$i]}" 2>/dev/null
    done
    if [ "${FRESH_CHECK_KEEP:-0}" = 1 ]; then
        echo "fresh-machine-check: kept $work"
    else
        rm -rf --one-file-system "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT INT TERM

mount_in() { # mount_in TARGET mount-args...
    local target=$root$1
    shift
    mkdir -p "$target"
    mount "$@" "$target"
    mounted+=("$target")
}

# Each long step runs as a child the script waits for, so a signal to the script ends it at once.
step() {
    "$@" &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    child=""
    return "$rc"
}

in_root() { # a command in the root, with a clean environment as a new root login would have
    step chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

start=$(date +%s)
phase() { echo "fresh-machine-check: [$(( $(date +%s) - start ))s] $*"; }

phase "debootstrap --variant=minbase $suite from $mirror_uri into $root"
step debootstrap --variant=minbase "$suite" "$root" "$mirror_uri" >"$work/debootstrap.log" 2>&1 \
    || { tail -30 "$work/debootstrap.log" >&2; exit 1; }
mount_in /proc -t proc proc
mount_in /sys -t sysfs sysfs
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
cp /etc/resolv.conf "$root/etc/resolv.conf"
# This network's own trust anchors (an egress proxy's CA, say), as every machine on it has them: the
# ca-certificates package the JDK brings in adds them to Java's keystore, so Maven reaches its registry.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi

phase "installing git and make (nothing else)"
in_root apt-get update -q >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log" >&2; exit 1; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends git make \
    >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log" >&2; exit 1; }
for tool in java javac mvn; do
    if in_root sh -c "command -v $tool" >/dev/null; then
        echo "fresh-machine-check: $tool is already in the bare root: the check proves nothing" >&2
        exit 1
    fi
done

phase "cloning $repo ($ref, $(git -C "$repo" rev-parse --short "$ref"))"
git -C "$repo" bundle create "$root/root/svcproxy.bundle" "$ref" >/dev/null 2>&1
in_root git clone -q /root/svcproxy.bundle /root/svcproxy
in_root git -C /root/svcproxy checkout -q --detach "$(git -C "$repo" rev-parse "$ref")"

status=0
for target in $targets; do
    phase "make $target (log: $log)"
    if ! in_root sh -c "cd /root/svcproxy && make $target" >>"$log" 2>&1; then
        status=1
        phase "make $target FAILED; last lines:"
        tail -40 "$log"
        break
    fi
    phase "make $target passed"
done
# `make test` itself (the whole suite, ~11 min) is CI's; its set-up step and one test of it are checked
# here: the test packages install from bare, and a test that needs one of them runs.
if [ "$status" -eq 0 ] && [ "${FRESH_CHECK_TEST_SETUP:-1}" = 1 ]; then
    phase "make test's set-up: scripts/install-test-deps.sh, then ShellScriptsTest (needs shellcheck)"
    if in_root sh -c "cd /root/svcproxy && scripts/install-test-deps.sh && SVCPROXY_REQUIRE_KERNEL_TESTS=1 \
            mvn -B -q test -Dtest=ShellScriptsTest -Dsurefire.failIfNoSpecifiedTests=false" >>"$log" 2>&1; then
        phase "make test's set-up passed"
    else
        status=1
        phase "make test's set-up FAILED; last lines:"
        tail -40 "$log"
    fi
fi
echo "----- last lines of the make log -----"
tail -15 "$log"
phase "done: $([ "$status" -eq 0 ] && echo PASSED || echo FAILED)"
exit "$status"
