package io.svcproxy.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.svcproxy.config.KubeProxyConfigurationLoader;
import io.svcproxy.config.LoadedConfiguration;
import io.svcproxy.config.ProxyMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** helm lint and helm template of charts/svcproxy, the rendered objects checked field by field. */
class ChartTest {
    private static final Map<String, Object> DEFAULTS = Map.of();

    private static Container container(HelmChart.Rendered r) {
        return podSpec(r).getContainers().get(0);
    }

    private static PodSpec podSpec(HelmChart.Rendered r) {
        return r.one(DaemonSet.class).getSpec().getTemplate().getSpec();
    }

    private static String configYaml(HelmChart.Rendered r) {
        return r.one(ConfigMap.class).getData().get("config.yaml");
    }

    private static String checksum(HelmChart.Rendered r) {
        return r.one(DaemonSet.class).getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
    }

    @Test
    void lintPassesStrict() {
        LintResult result = new Helm(HelmChart.chartDir()).lint().strict().call();
        assertFalse(result.isFailed(), () -> String.join("\n", result.getMessages()));
    }

    @Test
    void daemonSetRunsOnTheHostNetworkOfEveryLinuxNode() {
        HelmChart.Rendered r = HelmChart.render(DEFAULTS);
        DaemonSet ds = r.one(DaemonSet.class);
        PodSpec pod = podSpec(r);
        assertEquals(HelmChart.NAMESPACE, ds.getMetadata().getNamespace());
        assertTrue(pod.getHostNetwork());
        assertEquals("ClusterFirstWithHostNet", pod.getDnsPolicy());
        assertEquals("system-node-critical", pod.getPriorityClassName());
        assertEquals(List.of(new Toleration(null, null, "Exists", null, null)), pod.getTolerations());
        assertEquals(Map.of("kubernetes.io/os", "linux"), pod.getNodeSelector());
        assertEquals("RollingUpdate", ds.getSpec().getUpdateStrategy().getType());
        assertEquals(1, ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
        assertTrue(pod.getAutomountServiceAccountToken());
        assertEquals(r.one(ServiceAccount.class).getMetadata().getName(), pod.getServiceAccountName());
        assertTrue(r.one(ServiceAccount.class).getAutomountServiceAccountToken());
        assertEquals("svcproxy:0.1.0", container(r).getImage());
        assertTrue(container(r).getSecurityContext().getPrivileged());
    }

    @Test
    void hostPathMounts() {
        HelmChart.Rendered r = HelmChart.render(DEFAULTS);
        Map<String, Volume> volumes = new java.util.HashMap<>();
        podSpec(r).getVolumes().forEach(v -> volumes.put(v.getName(), v));
        Map<String, VolumeMount> mounts = new java.util.HashMap<>();
        container(r).getVolumeMounts().forEach(m -> mounts.put(m.getName(), m));

        assertEquals("/run/xtables.lock", volumes.get("xtables-lock").getHostPath().getPath());
        assertEquals("FileOrCreate", volumes.get("xtables-lock").getHostPath().getType());
        assertEquals("/run/xtables.lock", mounts.get("xtables-lock").getMountPath());
        assertFalse(Boolean.TRUE.equals(mounts.get("xtables-lock").getReadOnly()));

        assertEquals("/lib/modules", volumes.get("lib-modules").getHostPath().getPath());
        assertEquals("/lib/modules", mounts.get("lib-modules").getMountPath());
        assertTrue(mounts.get("lib-modules").getReadOnly());

        assertEquals(r.one(ConfigMap.class).getMetadata().getName(), volumes.get("config").getConfigMap().getName());
        assertTrue(container(r).getArgs().contains("--config=" + mounts.get("config").getMountPath() + "/config.yaml"));
    }

    @Test
    void probesOnLivezAndHealthzAtTheHealthzPort() {
        Container c = container(HelmChart.render(DEFAULTS));
        HTTPGetAction startup = c.getStartupProbe().getHttpGet();
        HTTPGetAction liveness = c.getLivenessProbe().getHttpGet();
        HTTPGetAction readiness = c.getReadinessProbe().getHttpGet();
        assertEquals("/livez", startup.getPath());
        assertEquals("/livez", liveness.getPath());
        assertEquals("/healthz", readiness.getPath());
        for (HTTPGetAction probe : List.of(startup, liveness, readiness)) {
            assertEquals(10256, probe.getPort().getIntVal());
        }
        assertTrue(c.getArgs().contains("--healthz-bind-address=0.0.0.0:10256"));

        Container moved = container(HelmChart.render(Map.of("healthzBindAddress", "0.0.0.0:20256")));
        assertEquals(20256, moved.getLivenessProbe().getHttpGet().getPort().getIntVal());
        assertEquals(20256, moved.getReadinessProbe().getHttpGet().getPort().getIntVal());
    }

    @Test
    void nodeNameFromTheDownwardApiIsTheHostnameOverride() {
        Container c = container(HelmChart.render(DEFAULTS));
        EnvVar nodeName = env(c, "NODE_NAME");
        assertEquals("spec.nodeName", nodeName.getValueFrom().getFieldRef().getFieldPath());
        assertTrue(c.getArgs().contains("--hostname-override=$(NODE_NAME)"));
        assertEquals("run", c.getArgs().get(0));
    }

    @Test
    void jvmIsSizedFromTheMemoryLimit() {
        HelmChart.Rendered r = HelmChart.render(DEFAULTS);
        String opts = env(container(r), "JAVA_TOOL_OPTIONS").getValue();
        assertTrue(opts.contains("-XX:MaxRAMPercentage=75"), opts);
        assertTrue(opts.contains("-XX:+UseSerialGC"), opts);
        assertNotNull(container(r).getResources().getLimits().get("memory"));
    }

    private static void assertNotNull(Object o) {
        assertTrue(o != null);
    }

    @Test
    void apiServerFromValues() {
        Container none = container(HelmChart.render(DEFAULTS));
        assertNull(env(none, "KUBERNETES_SERVICE_HOST"));
        Container set = container(HelmChart.render(Map.of("apiServer.host", "10.0.0.10", "apiServer.port", 6443)));
        assertEquals("10.0.0.10", env(set, "KUBERNETES_SERVICE_HOST").getValue());
        assertEquals("6443", env(set, "KUBERNETES_SERVICE_PORT").getValue());
    }

    @Test
    void dryRunAddsTheFlag() {
        assertFalse(container(HelmChart.render(DEFAULTS)).getArgs().contains("--dry-run"));
        assertTrue(container(HelmChart.render(Map.of("dryRun", true))).getArgs().contains("--dry-run"));
    }

    @Test
    void extraArgsComeLast() {
        List<String> args = container(HelmChart.render(Map.of(), "extraArgs: [\"--iptables-batch-services=100\"]\n")).getArgs();
        assertEquals("--iptables-batch-services=100", args.get(args.size() - 1));
    }

    @Test
    void capabilitiesInsteadOfPrivileged() {
        Container c = container(HelmChart.render(Map.of("securityContext.privileged", false)));
        var sc = c.getSecurityContext();
        assertFalse(sc.getPrivileged());
        assertEquals(0L, sc.getRunAsUser());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals(List.of("NET_ADMIN", "NET_RAW", "SYS_MODULE", "SYS_RESOURCE"), sc.getCapabilities().getAdd());

        Container fewer = container(HelmChart.render(Map.of(),
                "securityContext: {privileged: false, capabilities: [NET_ADMIN, NET_RAW]}\n"));
        assertEquals(List.of("NET_ADMIN", "NET_RAW"), fewer.getSecurityContext().getCapabilities().getAdd());
    }

    @Test
    void renderedConfigLoadsWithoutWarnings() {
        LoadedConfiguration defaults = KubeProxyConfigurationLoader.parse(configYaml(HelmChart.render(DEFAULTS)), "configmap");
        assertEquals(List.of(), defaults.warnings());
        assertEquals(ProxyMode.IPTABLES, defaults.config().mode());
        assertEquals(Duration.ofSeconds(30), defaults.config().syncPeriod());

        String everything = """
                mode: ipvs
                config:
                  clusterCIDR: 10.244.0.0/16,fd00:10:244::/56
                  syncPeriod: 1m0s
                  minSyncPeriod: 500ms
                  nodePortAddresses: [192.168.0.0/16, "fd00::/8"]
                  detectLocalMode: InterfaceNamePrefix
                  detectLocal: {bridgeInterface: cbr0, interfaceNamePrefix: veth}
                  iptables: {masqueradeAll: true, masqueradeBit: 13, localhostNodePorts: false}
                """;
        LoadedConfiguration all = KubeProxyConfigurationLoader.parse(configYaml(HelmChart.render(Map.of(), everything)), "configmap");
        assertEquals(List.of(), all.warnings());
        assertEquals(ProxyMode.IPVS, all.config().mode());
        assertEquals(Duration.ofMinutes(1), all.config().syncPeriod());
        assertEquals(Duration.ofMillis(500), all.config().minSyncPeriod());
        assertEquals(2, all.config().clusterCidrs().size());
        assertTrue(all.config().masqueradeAll());
        assertEquals(13, all.config().masqueradeBit());
        assertFalse(all.config().localhostNodePorts());
        assertEquals("veth", all.config().interfaceNamePrefix());
    }

    @Test
    void modeIpvs() {
        HelmChart.Rendered r = HelmChart.render(Map.of("mode", "ipvs"));
        assertTrue(configYaml(r).contains("mode: \"ipvs\""), configYaml(r));
        assertEquals(ProxyMode.IPVS, KubeProxyConfigurationLoader.parse(configYaml(r), "configmap").config().mode());
    }

    @Test
    void checksumFollowsTheConfig() {
        String base = checksum(HelmChart.render(DEFAULTS));
        assertEquals(64, base.length());
        assertEquals(base, checksum(HelmChart.render(DEFAULTS)));
        assertNotEquals(base, checksum(HelmChart.render(Map.of("config.syncPeriod", "1m"))));
        assertNotEquals(base, checksum(HelmChart.render(Map.of("mode", "ipvs"))));
        assertNotEquals(base, checksum(HelmChart.render(Map.of("config.iptables.masqueradeBit", 13))));
        assertEquals(base, checksum(HelmChart.render(Map.of("dryRun", true))), "not a config value");
    }

    /** Least privilege: this set is the whole grant. Adding a verb or a resource must fail here first. */
    @Test
    void rbacIsExactlyTheMinimalSet() {
        HelmChart.Rendered r = HelmChart.render(DEFAULTS);
        Set<String> grants = new TreeSet<>();
        for (PolicyRule rule : r.one(ClusterRole.class).getRules()) {
            assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());
            assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty());
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        grants.add((group.isEmpty() ? "core" : group) + "/" + resource + ":" + verb);
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(Set.of(
                "core/services:get", "core/services:list", "core/services:watch",
                "core/nodes:get", "core/nodes:list", "core/nodes:watch",
                "discovery.k8s.io/endpointslices:get", "discovery.k8s.io/endpointslices:list",
                "discovery.k8s.io/endpointslices:watch",
                "networking.k8s.io/servicecidrs:list", "networking.k8s.io/servicecidrs:watch",
                "core/events:create", "core/events:patch",
                "events.k8s.io/events:create", "events.k8s.io/events:patch")), grants);
        assertTrue(r.all(io.fabric8.kubernetes.api.model.rbac.Role.class).isEmpty());

        ClusterRoleBinding binding = r.one(ClusterRoleBinding.class);
        assertEquals(r.one(ClusterRole.class).getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
        assertEquals(r.one(ServiceAccount.class).getMetadata().getName(), binding.getSubjects().get(0).getName());
        assertEquals(HelmChart.NAMESPACE, binding.getSubjects().get(0).getNamespace());
    }

    @Test
    void monitorsAreOffByDefault() {
        HelmChart.Rendered r = HelmChart.render(DEFAULTS);
        assertTrue(r.kind("PodMonitor").isEmpty());
        assertTrue(r.kind("ServiceMonitor").isEmpty());
        HelmChart.Rendered on = HelmChart.render(Map.of("monitoring.podMonitor.enabled", true,
                "monitoring.serviceMonitor.enabled", true, "metricsBindAddress", "0.0.0.0:10249"));
        assertEquals("monitoring.coreos.com/v1", on.kind("PodMonitor").orElseThrow().getApiVersion());
        assertEquals("monitoring.coreos.com/v1", on.kind("ServiceMonitor").orElseThrow().getApiVersion());
        assertTrue(container(on).getArgs().contains("--metrics-bind-address=0.0.0.0:10249"));
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', value = {
            "mode|nftables",
            "config.syncPeriod|30 seconds",
            "config.minSyncPeriod|1",
            "healthzBindAddress|0.0.0.0:70000",
            "metricsBindAddress|localhost",
            "apiServer.port|0",
            "config.iptables.masqueradeBit|32",
            "config.clusterCIDR|not-a-cidr",
            "image.pullPolicy|Sometimes",
            "iptablesBackend|both",
            "noSuchValue|1",
    })
    void schemaRejectsBadValues(String key, String value) {
        Object typed = value.matches("-?[0-9]+") && !key.endsWith("Period") ? Integer.parseInt(value) : value;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> HelmChart.template(Map.of(key, typed)));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }

    @Test
    void schemaRejectsAnUnknownCapabilityAndANonCidrNodePortAddress() {
        assertThrows(IllegalStateException.class, () -> HelmChart.template(Map.of(),
                "securityContext: {privileged: false, capabilities: [SYS_ADMIN]}\n"));
        assertThrows(IllegalStateException.class, () -> HelmChart.template(Map.of(),
                "config: {nodePortAddresses: [eth0]}\n"));
        assertThrows(IllegalStateException.class, () -> HelmChart.template(Map.of(),
                "config: {nodePortAddresses: [primary, 10.0.0.0/8]}\n"));
        HelmChart.template(Map.of(), "config: {nodePortAddresses: [primary]}\n");
    }
}
