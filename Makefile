# svcproxy build entry points. The CLI jar is built by Maven; bin/svcproxy launches it.
MVN ?= mvn -B
DEMO_FLAGS ?= --cluster-cidr 10.244.0.0/16,fd00:10:244::/56

.PHONY: build test demo golden clean bench

build:
	$(MVN) -q package -DskipTests
	chmod +x bin/svcproxy

# As root, first installs the Debian packages the kernel tests drive (iptables, nfacct, ...).
test:
	@if [ "$$(id -u)" -eq 0 ]; then scripts/install-test-deps.sh; \
	else echo "make test: NOT ROOT: skipping scripts/install-test-deps.sh; kernel tests will be SKIPPED"; fi
	$(MVN) verify

# Dry run of the bundled demo cluster against an empty node. `plan` exits 2 when it plans
# changes (terraform-style), which is the expected outcome here.
demo: build
	bin/svcproxy plan --cluster test-fixtures/demo/cluster.yaml --against empty $(DEMO_FLAGS) || [ $$? -eq 2 ]

# Regenerates the golden files after an intended planner change; review `git diff` before committing.
golden:
	SVCPROXY_UPDATE_GOLDEN=1 $(MVN) -q test -Dtest=GoldenFilesTest

# Benchmarks (docs/benchmarks.md, docs/benchmarks.csv): JMH over the pure core, then, as root, the
# real-kernel ScaleBench in throw-away network namespaces. The default sizes finish in a few minutes;
# the full set: make bench BENCH_SIZES=1000,5000,10000 (about half an hour on 2 cores).
BENCH_SIZES ?= 1000
BENCH_RUNS ?= 5
BENCH_ARGS ?=
BENCH_BUILD_DIR ?= $(CURDIR)/target

bench:
	$(MVN) -q -Dbuild.dir=$(BENCH_BUILD_DIR) test-compile dependency:build-classpath \
		-Dmdep.outputFile=$(BENCH_BUILD_DIR)/bench-classpath.txt -Dmdep.includeScope=test
	java -cp "$(BENCH_BUILD_DIR)/test-classes:$(BENCH_BUILD_DIR)/classes:$$(cat $(BENCH_BUILD_DIR)/bench-classpath.txt)" \
		io.svcproxy.bench.BenchMain --sizes $(BENCH_SIZES) --runs $(BENCH_RUNS) \
		--work $(BENCH_BUILD_DIR)/bench --docs docs $(BENCH_ARGS)

clean:
	$(MVN) -q clean
