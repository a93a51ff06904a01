# syntax=docker/dockerfile:1
# svcproxy image: `make image` (docker build --build-arg VERSION=... -t svcproxy:VERSION .).

# --- build: the shaded CLI jar (tests run in `make test`, not here) ---
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
# Dependencies in their own layer: a source change does not download them again.
RUN mvn -B -q dependency:go-offline
COPY src/main ./src/main
# maven.test.skip: src/test is not in the build context (.dockerignore), tests are not compiled.
RUN mvn -B -q package -Dmaven.test.skip=true && cp target/svcproxy.jar /svcproxy.jar

# --- runtime: a slim Debian JRE with the tools svcproxy drives ---
FROM debian:bookworm-slim
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="svcproxy" \
      org.opencontainers.image.description="Kubernetes node service proxy, a drop-in for kube-proxy" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
# iptables: iptables/ip6tables with both backends (iptables-nft-* and iptables-legacy-*; svcproxy
#           calls the backend's binaries by name, so no update-alternatives is needed)
# ipset, conntrack (conntrack-tools), nfacct, iproute2 (ip), kmod (modprobe for /lib/modules)
# The shell and coreutils stay: `kubectl exec` into a proxy pod to run iptables-save is how nodes are debugged.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      openjdk-17-jre-headless iptables ipset conntrack nfacct iproute2 kmod \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/* /var/log/*
COPY --from=build /svcproxy.jar /opt/svcproxy/svcproxy.jar
# The JVM defaults of bin/svcproxy (why each: see there), the same the chart sets through
# JAVA_TOOL_OPTIONS: the heap follows the live set, 75% of the container's memory limit at most.
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:MaxNewSize=64m -XX:MaxRAMPercentage=75 -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError" \
    MALLOC_ARENA_MAX=2
# Runs as root: it programs the node's netfilter tables (the chart adds privileged or the capabilities).
ENTRYPOINT ["java", "-jar", "/opt/svcproxy/svcproxy.jar"]
CMD ["run", "--help"]
