package io.svcproxy.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Warning;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads kube-proxy's --config file (KubeProxyConfiguration, kubeproxy.config.k8s.io/v1alpha1) into a
 * {@link ProxyConfig}. Unknown fields, and known fields svcproxy does not implement set to a
 * non-default value, become warnings; a bad value of a field we use is a {@link ConfigException}
 * naming the field.
 */
public final class KubeProxyConfigurationLoader {
    public static final String API_VERSION = "kubeproxy.config.k8s.io/v1alpha1";
    public static final String KIND = "KubeProxyConfiguration";
    static final long MAX_BYTES = 1024 * 1024;

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().loaderOptions(loaderOptions()).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private KubeProxyConfigurationLoader() {
    }

    public static LoadedConfiguration load(Path file) {
        String name = Addresses.printable(file.toString());
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(name + ": larger than " + MAX_BYTES + " bytes");
            }
            return parse(Files.readString(file), name);
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read: " + firstLine(e.getMessage()), e);
        }
    }

    /** @param source the file name, for messages */
    public static LoadedConfiguration parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ConfigException(source + ": not valid YAML: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(source + ": expected a KubeProxyConfiguration object");
        }
        expect(root, "apiVersion", API_VERSION, source);
        expect(root, "kind", KIND, source);
        List<Warning> warnings = new ArrayList<>();
        checkFields(root, "", source, warnings);
        try {
            return new LoadedConfiguration(toConfig(new FieldReader(root)), warnings);
        } catch (ConfigException | IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    private static ProxyConfig toConfig(FieldReader f) {
        ProxyMode mode = f.parse("mode", ProxyMode::parse);
        // The mode's own section: periods from ipvs.* in IPVS mode (iptables.* is ignored there, as by
        // kube-proxy), periods and masquerading from nftables.* in nftables mode, else iptables.*.
        String section = switch (mode) {
            case IPVS -> "ipvs.";
            case NFTABLES -> "nftables.";
            case IPTABLES -> "iptables.";
        };
        String masquerade = mode == ProxyMode.NFTABLES ? "nftables." : "iptables.";
        ProxyConfig.Builder b = ProxyConfig.builder()
                .hostnameOverride(f.string("hostnameOverride"))
                .clusterCidrs(f.string("clusterCIDR"))
                .kubeconfig(f.string("clientConnection.kubeconfig"))
                .masqueradeAll(f.bool(masquerade + "masqueradeAll", false))
                .masqueradeBit(f.integer(masquerade + "masqueradeBit", ProxyConfig.DEFAULT_MASQUERADE_BIT))
                .localhostNodePorts(f.bool("iptables.localhostNodePorts", true))
                .bridgeInterface(f.string("detectLocal.bridgeInterface"))
                .interfaceNamePrefix(f.string("detectLocal.interfaceNamePrefix"));
        b.mode(mode);
        b.detectLocalMode(f.parse("detectLocalMode", DetectLocalMode::parse));
        b.nodePortAddresses(f.parseList("nodePortAddresses", NodePortAddresses::parse));
        // Newer versions move the periods to the top level; when both are set, the top level wins.
        Duration sync = f.duration("syncPeriod", f.duration(section + "syncPeriod", ProxyConfig.DEFAULT_SYNC_PERIOD));
        Duration minSync = f.duration("minSyncPeriod", f.duration(section + "minSyncPeriod", ProxyConfig.DEFAULT_MIN_SYNC_PERIOD));
        List<io.svcproxy.model.Cidr> exclude = new ArrayList<>();
        for (String c : f.parseList("ipvs.excludeCIDRs", l -> l)) {
            try {
                exclude.add(io.svcproxy.model.Cidr.parse(c.trim()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("ipvs.excludeCIDRs: " + e.getMessage(), e);
            }
        }
        b.ipvs(new ProxyConfig.Ipvs(f.string("ipvs.scheduler"), exclude, f.bool("ipvs.strictARP", false),
                f.duration("ipvs.tcpTimeout", Duration.ZERO), f.duration("ipvs.tcpFinTimeout", Duration.ZERO),
                f.duration("ipvs.udpTimeout", Duration.ZERO)));
        ProxyConfig.Conntrack ct = ProxyConfig.Conntrack.KUBE_PROXY_DEFAULTS;
        b.conntrack(new ProxyConfig.Conntrack(
                f.integer("conntrack.maxPerCore", ct.maxPerCore()),
                f.integer("conntrack.min", ct.min()),
                (int) f.duration("conntrack.tcpEstablishedTimeout", Duration.ofSeconds(ct.tcpEstablishedSeconds())).toSeconds(),
                (int) f.duration("conntrack.tcpCloseWaitTimeout", Duration.ofSeconds(ct.tcpCloseWaitSeconds())).toSeconds()));
        String healthz = f.string("healthzBindAddress");
        String metrics = f.string("metricsBindAddress");
        if (!healthz.isEmpty()) {
            b.healthzBindAddress(healthz);
        }
        if (!metrics.isEmpty()) {
            b.metricsBindAddress(metrics);
        }
        b.oomScoreAdj(f.integer("oomScoreAdj", -999));
        return b.syncPeriod(sync).minSyncPeriod(minSync).build();
    }

    private static void expect(JsonNode root, String field, String expected, String source) {
        String actual = root.path(field).asText("");
        if (!expected.equals(actual)) {
            throw new ConfigException(source + ": " + field + " is '" + Addresses.printable(actual) + "', expected " + expected);
        }
    }

    private static void checkFields(JsonNode object, String prefix, String source, List<Warning> warnings) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix + e.getKey();
            JsonNode value = e.getValue();
            if (KubeProxyConfigurationFields.SECTIONS.contains(path) && value.isObject()) {
                checkFields(value, path + ".", source, warnings);
            } else if (KubeProxyConfigurationFields.SECTIONS.contains(path) && value.isNull()) {
                continue;
            } else if (KubeProxyConfigurationFields.UNSUPPORTED_DEFAULTS.containsKey(path)) {
                if (!isDefault(value, KubeProxyConfigurationFields.UNSUPPORTED_DEFAULTS.get(path)) && !path.equals("logging")) {
                    warnings.add(new Warning("Config", source, path, "not supported by svcproxy; value "
                            + Addresses.printable(value.toString()) + " ignored"));
                }
            } else if (!KubeProxyConfigurationFields.SUPPORTED.contains(path)) {
                warnings.add(new Warning("Config", source, Addresses.printable(path), "unknown field; ignored"));
            }
        }
    }

    /** Zero values and kube-proxy's own default both mean "default". */
    private static boolean isDefault(JsonNode value, Object kubeProxyDefault) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return true;
        }
        if (value.isContainerNode()) {
            return value.isEmpty();
        }
        String text = value.asText();
        return text.isEmpty() || text.equals("0") || text.equals("0s") || text.equals("false")
                || text.equals(String.valueOf(kubeProxyDefault));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return Addresses.printable(nl < 0 ? message : message.substring(0, nl));
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(32);
        options.setAllowDuplicateKeys(false);
        return options;
    }
}
