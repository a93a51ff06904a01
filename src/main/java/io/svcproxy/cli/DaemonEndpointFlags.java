package io.svcproxy.cli;

import io.svcproxy.model.Addresses;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** kube-proxy's --healthz-bind-address and --metrics-bind-address, for 'run'. */
public final class DaemonEndpointFlags {
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+)):([0-9]{1,5})");

    @Option(names = "--healthz-bind-address", paramLabel = "IP:PORT",
            description = "Where /healthz and /livez are served (kube-proxy's). \"\" or port 0 disables. "
                    + "Default: healthzBindAddress from --config, else 0.0.0.0:10256.")
    String healthzBindAddress;

    @Option(names = "--metrics-bind-address", paramLabel = "IP:PORT",
            description = "Where /metrics and /proxyMode are served (kube-proxy's). \"\" or port 0 disables. "
                    + "Default: metricsBindAddress from --config, else 127.0.0.1:10249.")
    String metricsBindAddress;

    /** Flags win; what is not given comes from the configuration (file or kube-proxy's defaults). */
    public void resolve(io.svcproxy.config.ProxyConfig config) {
        if (healthzBindAddress == null) {
            healthzBindAddress = config.healthzBindAddress();
        }
        if (metricsBindAddress == null) {
            metricsBindAddress = config.metricsBindAddress();
        }
    }

    /** Fails with a message naming the flag when an address is malformed. */
    public void validate() {
        healthz();
        metrics();
    }

    public Optional<InetSocketAddress> healthz() {
        return parse("--healthz-bind-address", healthzBindAddress);
    }

    public Optional<InetSocketAddress> metrics() {
        return parse("--metrics-bind-address", metricsBindAddress);
    }

    /**
     * "IP:PORT" or "[IPv6]:PORT" (an IP literal: no name lookups); empty when "" or port 0 (disabled).
     *
     * @throws IllegalArgumentException naming the flag, for anything else
     */
    static Optional<InetSocketAddress> parse(String flag, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Matcher m = HOST_PORT.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + ": '" + Addresses.printable(value)
                    + "' is not IP:PORT (e.g. 0.0.0.0:10256 or [::]:10256; \"\" disables)");
        }
        int port = Integer.parseInt(m.group(3));
        if (port > 65535) {
            throw new IllegalArgumentException(flag + ": port " + port + " out of range 0..65535");
        }
        String ip = m.group(1) != null ? m.group(1) : m.group(2);
        InetAddress address;
        try {
            address = Addresses.parseIp(ip);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": '" + Addresses.printable(ip) + "' is not an IP address");
        }
        if (port == 0) {
            return Optional.empty();
        }
        return Optional.of(new InetSocketAddress(address, port));
    }
}
