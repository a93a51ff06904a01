# svcproxy build entry points. The CLI jar is built by Maven; bin/svcproxy launches it.
MVN ?= mvn -B

.PHONY: build test demo clean

build:
	$(MVN) package -DskipTests
	chmod +x bin/svcproxy

test:
	@if [ "$$(id -u)" -eq 0 ]; then scripts/install-test-deps.sh; \
	else echo "make test: not root, skipping scripts/install-test-deps.sh (kernel tests will be skipped)"; fi
	$(MVN) test

demo: build
	bin/svcproxy plan --cluster test-fixtures/demo/cluster.yaml --against empty

clean:
	$(MVN) clean
