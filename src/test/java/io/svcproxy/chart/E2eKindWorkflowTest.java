package io.svcproxy.chart;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kind workflow and cluster configs are checked structurally here (no actionlint or kind on this
 * machine): every job runs on a runner and has steps, every step runs or uses exactly one thing,
 * every matrix entry (iptables, ipvs, dual-stack iptables) runs the same `make e2e-kind` and must
 * pass, the script's default steps end with the e2e suite, and the clusters have no kube-proxy.
 */
class E2eKindWorkflowTest {
    private static final Path ROOT = HelmChart.chartDir().getParent().getParent();

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> load(String path) throws IOException {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(ROOT.resolve(path)));
        return (Map<Object, Object>) assertInstanceOf(Map.class, doc, path);
    }

    @SuppressWarnings("unchecked")
    private static <T> T get(Map<?, ?> map, String key, Class<T> type) {
        Object value = map.get(key);
        assertNotNull(value, "missing key " + key + " in " + map.keySet());
        return (T) assertInstanceOf(type, value, key);
    }

    @Test
    @SuppressWarnings("unchecked")
    void workflowRunsTheSameStepsForBothModes() throws IOException {
        Map<Object, Object> wf = load(".github/workflows/e2e-kind.yml");
        assertEquals("e2e-kind", wf.get("name"));
        // YAML 1.1 reads the bare key `on` as true.
        Object triggers = wf.containsKey("on") ? wf.get("on") : wf.get(Boolean.TRUE);
        assertInstanceOf(Map.class, triggers, "on:");
        assertTrue(((Map<?, ?>) triggers).containsKey("pull_request"));

        Map<String, Object> jobs = get(wf, "jobs", Map.class);
        assertFalse(jobs.isEmpty());
        List<String> runs = new ArrayList<>();
        for (Map.Entry<String, Object> job : jobs.entrySet()) {
            Map<String, Object> j = (Map<String, Object>) assertInstanceOf(Map.class, job.getValue());
            assertTrue(get(j, "runs-on", String.class).startsWith("ubuntu-"), job.getKey());
            assertTrue(get(j, "timeout-minutes", Integer.class) <= 60);
            List<Object> steps = get(j, "steps", List.class);
            for (Object s : steps) {
                Map<String, Object> step = (Map<String, Object>) assertInstanceOf(Map.class, s);
                assertTrue(step.containsKey("name"), "every step is named: " + step);
                assertTrue(step.containsKey("run") ^ step.containsKey("uses"), "run xor uses: " + step);
                if (step.containsKey("uses")) {
                    assertTrue(((String) step.get("uses")).matches("[\\w.-]+/[\\w.-]+@v\\d+"), "pinned action: " + step);
                }
                if (step.containsKey("run")) {
                    runs.add((String) step.get("run"));
                }
            }
        }
        Map<String, Object> e2e = get(jobs, "e2e", Map.class);
        Map<String, Object> matrix = get(get(e2e, "strategy", Map.class), "matrix", Map.class);
        List<Map<String, Object>> include = get(matrix, "include", List.class);
        assertEquals(List.of("iptables/ipv4", "ipvs/ipv4", "iptables/dual"),
                include.stream().map(m -> m.get("mode") + "/" + m.get("family")).toList());
        assertFalse(e2e.containsKey("continue-on-error"), "every mode must pass (IPVS included)");
        assertTrue(runs.stream().anyMatch(r -> r.strip().equals(
                "make e2e-kind E2E_MODE=${{ matrix.mode }} E2E_IP_FAMILY=${{ matrix.family }}")), runs.toString());
        assertTrue(runs.stream().anyMatch(r -> r.contains("modprobe sctp") && r.contains("libsctp1")),
                "SCTP for the suite's real associations");
        assertTrue(runs.stream().anyMatch(r -> r.contains("e2e/kind/run.sh down")), "the cluster is deleted");
    }

    @Test
    @SuppressWarnings("unchecked")
    void kindClustersHaveNoKubeProxyAndThreeNodes() throws IOException {
        for (String config : List.of("e2e/kind/cluster.yaml", "e2e/kind/cluster-dual.yaml")) {
            Map<Object, Object> kind = load(config);
            assertEquals("kind.x-k8s.io/v1alpha4", kind.get("apiVersion"));
            assertEquals("Cluster", kind.get("kind"));
            assertEquals("none", get(kind, "networking", Map.class).get("kubeProxyMode"), config);
            List<Map<String, Object>> nodes = get(kind, "nodes", List.class);
            assertEquals(List.of("control-plane", "worker", "worker"), nodes.stream().map(n -> n.get("role")).toList());
        }
        Map<String, Object> dual = get(load("e2e/kind/cluster-dual.yaml"), "networking", Map.class);
        assertEquals("dual", dual.get("ipFamily"));
        assertEquals("10.244.0.0/16,fd00:10:244::/56", dual.get("podSubnet"));
        assertEquals(2, ((String) dual.get("serviceSubnet")).split(",").length);
    }

    @Test
    void theScriptAndMakeAgree() throws IOException {
        String script = Files.readString(ROOT.resolve("e2e/kind/run.sh"));
        assertTrue(script.contains("KIND_CONFIG=e2e/kind/cluster.yaml"));
        assertTrue(script.contains("KIND_CONFIG=e2e/kind/cluster-dual.yaml"));
        // The dual-stack cluster's pod CIDRs reach the proxy's --cluster-cidr.
        assertTrue(script.contains("CLUSTER_CIDR=10.244.0.0/16,fd00:10:244::/56"));
        assertTrue(script.contains("STEPS=(cluster image install suite)"), "the suite runs by default");
        assertTrue(script.contains("-Pe2e-kind verify -De2e.context=\"kind-${CLUSTER_NAME}\""), "the suite step");
        assertTrue(Files.readString(ROOT.resolve("pom.xml")).contains("<id>e2e-kind</id>"), "the profile the suite step uses");
        assertTrue(script.contains("helm upgrade --install svcproxy charts/svcproxy"));
        assertTrue(script.contains("rollout status daemonset/svcproxy"));
        assertTrue(Files.isExecutable(ROOT.resolve("e2e/kind/run.sh")));
        String makefile = Files.readString(ROOT.resolve("Makefile"));
        assertTrue(makefile.contains("IP_FAMILY=$(E2E_IP_FAMILY) e2e/kind/run.sh $(E2E_MODE)"));
        assertTrue(makefile.contains("docker build --build-arg VERSION=$(VERSION)"));
    }
}
