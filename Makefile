# svcproxy build entry points. The CLI jar is built by Maven; bin/svcproxy launches it.
MVN ?= mvn -B
# The image `make image` builds (VERSION defaults to the pom's project version).
IMAGE ?= svcproxy
VERSION ?= $(shell sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
# Proxy mode `make e2e-kind` installs: iptables or ipvs; and the cluster's IP families: ipv4 or dual.
E2E_MODE ?= iptables
E2E_IP_FAMILY ?= ipv4
DEMO_FLAGS ?= --cluster-cidr 10.244.0.0/16,fd00:10:244::/56

.PHONY: toolchain build test soak demo golden clean native image e2e e2e-kind bench fresh-machine-check

# JDK 17 and Maven: used as found on PATH; when missing, installed from Debian's archive (as root).
toolchain:
	@scripts/install-test-deps.sh --build

build: toolchain
	$(MVN) -q package -DskipTests
	chmod +x bin/svcproxy

# As root, first installs the Debian packages the kernel tests drive (iptables, nfacct, ...).
test: toolchain
	@if [ "$$(id -u)" -eq 0 ]; then scripts/install-test-deps.sh; \
	else echo "make test: NOT ROOT: skipping scripts/install-test-deps.sh; kernel tests will be SKIPPED"; fi
	$(MVN) verify
	@if [ "$$(id -u)" -eq 0 ]; then scripts/fresh-machine-check.sh; \
	else echo "make test: NOT ROOT: skipping scripts/fresh-machine-check.sh (the README's set-up on a bare Debian root)"; fi

# The fault tests (docs/reliability.md) in their long profile: SVCPROXY_SOAK=1 scales counts and
# durations (20 SIGKILLs, hundreds of file changes, minutes of churn). Needs root, like the kernel tests.
SOAK_TESTS ?= FaultScenariosIT
soak: toolchain
	SVCPROXY_SOAK=1 $(MVN) verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test='$(SOAK_TESTS)'

# Dry run of the bundled demo cluster against an empty node. `plan` exits 2 when it plans
# changes (terraform-style), which is the expected outcome here.
demo: build
	bin/svcproxy plan --cluster test-fixtures/demo/cluster.yaml --against empty $(DEMO_FLAGS) || [ $$? -eq 2 ]

# Regenerates the golden files after an intended planner change; review `git diff` before committing.
golden: toolchain
	SVCPROXY_UPDATE_GOLDEN=1 $(MVN) -q test -Dtest=GoldenFilesTest

# native/ipvs_constants: prints the kernel UAPI constants and struct sizes our netlink code uses
# (NativeConstantsTest compiles and compares it on its own; this target is for looking at them).
BUILD_DIR ?= target
CC ?= gcc
native: $(BUILD_DIR)/native/ipvs_constants
	$(BUILD_DIR)/native/ipvs_constants

$(BUILD_DIR)/native/ipvs_constants: native/ipvs_constants.c
	mkdir -p $(@D)
	$(CC) -Wall -Werror -o $@ $<

# Benchmarks (docs/benchmarks.md, docs/benchmarks.csv): JMH over the pure core (IPv4 and dual-stack),
# then, as root, the real-kernel ScaleBench in throw-away network namespaces, the end-to-end bench
# (the PACKAGED svcproxy, started by bin/svcproxy with its JVM defaults, as a daemon in a fresh node
# namespace against the mock API server, measured from outside: first sync, one endpoint changed, a
# new Service, a Service deleted, a burst, CPU and peak RSS) per size and BENCH_E2E_MODES (a mode this
# build or host cannot run is skipped with the reason in the report), the IPVS rows inside the IPVS VM
# (../shared/tools/run-in-ipvs-vm.sh or $SVCPROXY_IPVS_VM; skipped with a note in the report when
# absent) at BENCH_IPVS_SIZES, and the memory by JVM flags at the largest of BENCH_SIZES.
# The full set: make bench BENCH_SIZES=1000,5000,10000 BENCH_IPVS_SIZES=1000,5000 (the IPVS VM is
# emulated: its 5000-service runs alone take a long time; see docs/benchmarks.md for the last run).
# The end-to-end burst: BENCH_BURST_RATE endpoint changes per second for BENCH_BURST_SECONDS.
# BENCH_E2E_IPVS_VM=1 also runs the end-to-end ipvs mode inside the IPVS VM at BENCH_IPVS_SIZES
# (emulated: those rows compare IPVS with itself only, never with upstream's figures).
BENCH_SIZES ?= 1000
BENCH_IPVS_SIZES ?= 1000
BENCH_RUNS ?= 5
BENCH_E2E_MODES ?= iptables/nft,iptables/legacy,nftables,ipvs
BENCH_BURST_RATE ?= 100
BENCH_BURST_SECONDS ?= 60
BENCH_E2E_IPVS_VM ?=
BENCH_ARGS ?=
BENCH_BUILD_DIR ?= $(CURDIR)/target

bench: toolchain
	$(MVN) -q -Dbuild.dir=$(BENCH_BUILD_DIR) package -DskipTests dependency:build-classpath \
		-Dmdep.outputFile=$(BENCH_BUILD_DIR)/bench-classpath.txt -Dmdep.includeScope=test
	chmod +x bin/svcproxy
	java -cp "$(BENCH_BUILD_DIR)/test-classes:$(BENCH_BUILD_DIR)/classes:$$(cat $(BENCH_BUILD_DIR)/bench-classpath.txt)" \
		io.svcproxy.bench.BenchMain --sizes $(BENCH_SIZES) --ipvs-sizes $(BENCH_IPVS_SIZES) --runs $(BENCH_RUNS) \
		--e2e-modes $(BENCH_E2E_MODES) --burst-rate $(BENCH_BURST_RATE) --burst-seconds $(BENCH_BURST_SECONDS) \
		--launcher bin/svcproxy --jar $(BENCH_BUILD_DIR)/svcproxy.jar $(if $(BENCH_E2E_IPVS_VM),--e2e-ipvs-vm) \
		--work $(BENCH_BUILD_DIR)/bench --docs docs $(BENCH_ARGS)

clean:
	$(MVN) -q clean

# The container image (needs Docker): multi-stage, Maven build then a slim Debian JRE with the
# netfilter tools. VERSION goes into the OCI labels and the tag.
image:
	docker build --build-arg VERSION=$(VERSION) --build-arg REVISION=$$(git rev-parse HEAD 2>/dev/null || echo unknown) \
		-t $(IMAGE):$(VERSION) .

# The e2e suite of Service behaviours on a 3-node cluster of network namespaces (NetnsClusterE2eIT;
# `make test` runs it too). Needs root; installs the test packages first, like `make test`.
# Logs and rule snapshots of failed tests: target/e2e-netns/RUN/.
e2e: toolchain
	@if [ "$$(id -u)" -ne 0 ]; then echo "make e2e: needs root (network namespaces)"; exit 1; fi
	scripts/install-test-deps.sh
	SVCPROXY_REQUIRE_KERNEL_TESTS=1 $(MVN) verify -Dit.test=NetnsClusterE2eIT,NftNetnsClusterE2eIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false

# kind cluster without kube-proxy, image built and loaded, chart installed, then the e2e suite of
# Service behaviours through the kind driver (needs Docker, kind, kubectl, helm, JDK 17, Maven).
# The same script the e2e-kind workflow runs. `e2e/kind/run.sh down` deletes the cluster.
e2e-kind:
	IP_FAMILY=$(E2E_IP_FAMILY) e2e/kind/run.sh $(E2E_MODE)

# The README's set-up proved on a fresh machine (as root): a bare Debian bookworm root (debootstrap
# minbase) with only git and make, a clone of this checkout's HEAD, `make demo` inside. The last step
# of `make test` as root (about 2-5 minutes: it downloads a Debian root, a JDK, Maven and every Maven
# dependency again each time, from Debian's archive and Maven Central).
fresh-machine-check:
	scripts/fresh-machine-check.sh
