#!/usr/bin/env bash
# svcproxy on a kind cluster without kube-proxy: create the cluster, build and load the images,
# install the chart, wait for the rollout, then run the e2e suite of Service behaviours against it
# (the same suite `make e2e` runs on network namespaces, here through the kind driver, KindE2eIT).
#
#   e2e/kind/run.sh [iptables|ipvs] [STEP...]     steps: cluster image install suite smoke down
#                                                  (default: cluster image install suite)
#
#   suite  mvn -Pe2e-kind verify against the cluster's context (JDK 17 and Maven on this host)
#   smoke  a few kubectl + curl checks only (ClusterIP, DNS, NodePort, REJECT without endpoints)
#
# Every command is printed before it runs ("+ ..."), so each step can be repeated by hand.
# Environment: CLUSTER_NAME (svcproxy-e2e), IMAGE (svcproxy), TAG (e2e), NAMESPACE (kube-system),
# IP_FAMILY (ipv4, or dual for a dual-stack cluster: e2e/kind/cluster-dual.yaml),
# AGNHOST_IMAGE (the sig-network e2e test image: netexec server, pause, curl),
# E2E_SCTP (connect: SCTP checked with real associations, needs the sctp module and libsctp1 on this
# host; none: SCTP behaviours skipped), MVN (mvn).
# Needs: docker, kind, kubectl, helm; for the suite also JDK 17 and Maven.
set -euo pipefail

cd "$(dirname "$0")/../.."

MODE=iptables
case "${1:-}" in
    iptables|ipvs) MODE=$1; shift ;;
esac
STEPS=("$@")
if [ "${#STEPS[@]}" -eq 0 ]; then
    STEPS=(cluster image install suite)
fi

CLUSTER_NAME=${CLUSTER_NAME:-svcproxy-e2e}
IMAGE=${IMAGE:-svcproxy}
TAG=${TAG:-e2e}
NAMESPACE=${NAMESPACE:-kube-system}
AGNHOST_IMAGE=${AGNHOST_IMAGE:-registry.k8s.io/e2e-test-images/agnhost:2.53}
IP_FAMILY=${IP_FAMILY:-ipv4}
E2E_SCTP=${E2E_SCTP:-connect}
MVN=${MVN:-mvn}
case "$IP_FAMILY" in
    ipv4)
        KIND_CONFIG=e2e/kind/cluster.yaml
        CLUSTER_CIDR=10.244.0.0/16 ;;
    dual)
        KIND_CONFIG=e2e/kind/cluster-dual.yaml
        CLUSTER_CIDR=10.244.0.0/16,fd00:10:244::/56 ;;
    *)
        echo "IP_FAMILY must be ipv4 or dual, not '$IP_FAMILY'" >&2
        exit 1 ;;
esac
TEST_NS=svcproxy-smoke
KUBECTL=(kubectl --context "kind-${CLUSTER_NAME}")

run() {
    echo "+ $*" >&2
    "$@"
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The node's first InternalIP (a dual-stack node lists one per family).
node_ip() {
    local ips
    ips=$("${KUBECTL[@]}" get node "$1" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
    echo "${ips%% *}"
}

step_cluster() {
    if kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
        echo "cluster $CLUSTER_NAME exists; reusing it" >&2
    else
        run kind create cluster --name "$CLUSTER_NAME" --config "$KIND_CONFIG"
    fi
}

step_image() {
    run docker build --build-arg VERSION="$TAG" \
        --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" -t "$IMAGE:$TAG" .
    run kind load docker-image "$IMAGE:$TAG" --name "$CLUSTER_NAME"
    # The suite's pods run agnhost on every node: pulled once here rather than by each node.
    run docker pull "$AGNHOST_IMAGE"
    run kind load docker-image "$AGNHOST_IMAGE" --name "$CLUSTER_NAME"
}

step_install() {
    # The control plane's node IP: svcproxy must not reach the API through the Service it programs.
    local api_host
    api_host=$(node_ip "${CLUSTER_NAME}-control-plane")
    [ -n "$api_host" ] || fail "no InternalIP for node ${CLUSTER_NAME}-control-plane"
    run helm upgrade --install svcproxy charts/svcproxy --kube-context "kind-${CLUSTER_NAME}" \
        --namespace "$NAMESPACE" \
        --set image.repository="$IMAGE" --set image.tag="$TAG" --set image.pullPolicy=Never \
        --set mode="$MODE" \
        --set apiServer.host="$api_host" --set apiServer.port=6443 \
        --set config.clusterCIDR="$CLUSTER_CIDR"
    run "${KUBECTL[@]}" -n "$NAMESPACE" rollout status daemonset/svcproxy --timeout=180s
    # Cluster DNS sits behind a Service: it becomes reachable once the rules are in place.
    run "${KUBECTL[@]}" -n kube-system rollout status deployment/coredns --timeout=180s
}

# curl from the client pod; prints curl's exit code (0 answered, 7 refused, 28 timed out).
curl_rc() {
    local rc=0
    "${KUBECTL[@]}" -n "$TEST_NS" exec client -- curl -sS -o /dev/null --max-time 5 "$1" >&2 || rc=$?
    echo "$rc"
}

expect_reply() {
    local url=$1 attempt
    for attempt in $(seq 1 30); do
        if [ "$(curl_rc "$url")" = 0 ]; then
            echo "ok: $url answers (attempt $attempt)" >&2
            return 0
        fi
        sleep 2
    done
    fail "$url does not answer"
}

step_smoke() {
    "${KUBECTL[@]}" create namespace "$TEST_NS" --dry-run=client -o yaml | run "${KUBECTL[@]}" apply -f -
    run "${KUBECTL[@]}" apply -n "$TEST_NS" -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: echo, labels: {app: echo}}
spec:
  nodeSelector: {kubernetes.io/hostname: ${CLUSTER_NAME}-worker}
  containers:
    - name: echo
      image: ${AGNHOST_IMAGE}
      args: [netexec, --http-port=8080]
      ports: [{containerPort: 8080}]
      readinessProbe: {httpGet: {path: /hostname, port: 8080}}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeSelector: {kubernetes.io/hostname: ${CLUSTER_NAME}-worker2}
  containers:
    - name: client
      image: ${AGNHOST_IMAGE}
      args: [pause]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: echo-nodeport}
spec:
  type: NodePort
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: no-endpoints}
spec:
  selector: {app: nothing-has-this-label}
  ports: [{port: 80, targetPort: 8080}]
YAML
    run "${KUBECTL[@]}" -n "$TEST_NS" wait --for=condition=Ready pod/echo pod/client --timeout=180s

    local cluster_ip node_port cp_ip none_ip rc
    cluster_ip=$("${KUBECTL[@]}" -n "$TEST_NS" get service echo -o jsonpath='{.spec.clusterIP}')
    node_port=$("${KUBECTL[@]}" -n "$TEST_NS" get service echo-nodeport -o jsonpath='{.spec.ports[0].nodePort}')
    none_ip=$("${KUBECTL[@]}" -n "$TEST_NS" get service no-endpoints -o jsonpath='{.spec.clusterIP}')
    cp_ip=$(node_ip "${CLUSTER_NAME}-control-plane")

    # ClusterIP by address, then by name (which also needs cluster DNS, itself behind a Service).
    expect_reply "http://${cluster_ip}/hostname"
    expect_reply "http://echo.${TEST_NS}.svc.cluster.local/hostname"
    # NodePort on a node that runs neither pod.
    expect_reply "http://${cp_ip}:${node_port}/hostname"
    # No endpoints: kube-proxy's REJECT, so the client sees "connection refused" (7), not a timeout (28).
    rc=$(curl_rc "http://${none_ip}/")
    [ "$rc" = 7 ] || fail "service without endpoints: curl exit $rc, expected 7 (connection refused)"
    echo "ok: a service without endpoints is rejected" >&2

    run "${KUBECTL[@]}" delete namespace "$TEST_NS" --wait=false
    echo "smoke suite passed (mode $MODE)" >&2
}

# The e2e suite (src/test/java/io/svcproxy/e2e) through the kind driver; diagnostics of failed tests
# (each node's rules, the proxy logs) land in target/e2e-kind/RUN/.
step_suite() {
    run "$MVN" -B -Pe2e-kind verify -De2e.context="kind-${CLUSTER_NAME}" \
        -De2e.agnhostImage="$AGNHOST_IMAGE" -De2e.sctp="$E2E_SCTP" -De2e.proxyNamespace="$NAMESPACE"
}

step_down() {
    run kind delete cluster --name "$CLUSTER_NAME"
}

on_exit() {
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "--- failure (exit $rc): svcproxy logs and pods ---" >&2
        "${KUBECTL[@]}" -n "$NAMESPACE" logs daemonset/svcproxy --tail=200 >&2 || true
        "${KUBECTL[@]}" get pods -A -o wide >&2 || true
    fi
}
trap on_exit EXIT

for step in "${STEPS[@]}"; do
    case "$step" in
        cluster|image|install|suite|smoke|down) "step_$step" ;;
        *) fail "unknown step '$step' (expected cluster, image, install, suite, smoke or down)" ;;
    esac
done
