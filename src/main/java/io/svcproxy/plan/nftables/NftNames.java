package io.svcproxy.plan.nftables;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.NameHashes;

/**
 * kube-proxy's nftables object names. Fixed chains, sets and maps have plain names; per-service ones
 * are prefix + "HASH-ns/svc/proto/port" (HASH = first 8 characters of base32(sha256(the rest)),
 * truncated past 240 characters), endpoint ones add "__ip/port" (IPv6 colons become dots). The same
 * names mean a node programmed by kube-proxy is taken over without renaming anything.
 */
public final class NftNames {
    public static final String TABLE = "kube-proxy";
    public static final String TABLE_COMMENT = "rules for kube-proxy";

    public static final String FILTER_PREROUTING_PRE_DNAT = "filter-prerouting-pre-dnat";
    public static final String FILTER_OUTPUT_PRE_DNAT = "filter-output-pre-dnat";
    public static final String FILTER_INPUT = "filter-input";
    public static final String FILTER_FORWARD = "filter-forward";
    public static final String FILTER_OUTPUT = "filter-output";
    public static final String NAT_PREROUTING = "nat-prerouting";
    public static final String NAT_OUTPUT = "nat-output";
    public static final String NAT_POSTROUTING = "nat-postrouting";

    public static final String NODEPORT_ENDPOINTS_CHECK = "nodeport-endpoints-check";
    public static final String SERVICE_ENDPOINTS_CHECK = "service-endpoints-check";
    public static final String FIREWALL_CHECK = "firewall-check";
    public static final String SERVICES = "services";
    public static final String MASQUERADING = "masquerading";
    public static final String CLUSTER_IPS_CHECK = "cluster-ips-check";
    public static final String REJECT_CHAIN = "reject-chain";

    public static final String HAIRPIN_CONNECTIONS = "hairpin-connections";
    public static final String CLUSTER_IPS = "cluster-ips";
    public static final String NODEPORT_IPS = "nodeport-ips";
    public static final String NO_ENDPOINT_SERVICES = "no-endpoint-services";
    public static final String NO_ENDPOINT_NODEPORTS = "no-endpoint-nodeports";
    public static final String FIREWALL_IPS = "firewall-ips";
    public static final String SERVICE_IPS = "service-ips";
    public static final String SERVICE_NODEPORTS = "service-nodeports";

    public static final String CLUSTER_PREFIX = "service-";
    public static final String LOCAL_PREFIX = "local-";
    public static final String EXTERNAL_PREFIX = "external-";
    public static final String FIREWALL_PREFIX = "firewall-";
    public static final String ENDPOINT_PREFIX = "endpoint-";
    public static final String AFFINITY_PREFIX = "affinity-";

    /** nftables names are at most 256 characters; kube-proxy keeps 16 for its prefixes. */
    static final int BASE_LENGTH_MAX = 256 - 16;

    private NftNames() {
    }

    public static String clusterChain(ServicePortName name) {
        return CLUSTER_PREFIX + serviceBase(name);
    }

    public static String localChain(ServicePortName name) {
        return LOCAL_PREFIX + serviceBase(name);
    }

    public static String externalChain(ServicePortName name) {
        return EXTERNAL_PREFIX + serviceBase(name);
    }

    public static String firewallChain(ServicePortName name) {
        return FIREWALL_PREFIX + serviceBase(name);
    }

    public static String endpointChain(ServicePortName name, Endpoint ep) {
        return ENDPOINT_PREFIX + endpointBase(name, ep);
    }

    public static String affinitySet(ServicePortName name, Endpoint ep) {
        return AFFINITY_PREFIX + endpointBase(name, ep);
    }

    /** nft refuses longer comments (and the whole transaction with them). */
    public static final int COMMENT_LENGTH_MAX = 128;

    /**
     * The comment of a service port's map elements: kube-proxy's "ns/svc:port", cut to the 128
     * characters nft accepts (three 63-character names would make 191; kube-proxy's sync would then
     * fail as a whole, we keep the rest of the table working).
     */
    public static String comment(ServicePortName name) {
        String c = name.toString();
        return c.length() > COMMENT_LENGTH_MAX ? c.substring(0, COMMENT_LENGTH_MAX) : c;
    }

    /** Service chains (and only they) have a "/" in their name: how stale ones are told from fixed ones. */
    public static boolean isServiceObject(String name) {
        return name.indexOf('/') >= 0;
    }

    private static final java.util.regex.Pattern LABEL = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final java.util.regex.Pattern PORT_NAME = java.util.regex.Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?)?");

    /**
     * The name's parts are the API's DNS labels (the source checks them; this is the planner's own
     * guard): they go unquoted into object names and quoted into comments, so nothing else may pass.
     */
    public static boolean safe(ServicePortName name) {
        return name.namespace().length() <= 63 && name.name().length() <= 63 && name.port().length() <= 63
                && LABEL.matcher(name.namespace()).matches() && LABEL.matcher(name.name()).matches()
                && PORT_NAME.matcher(name.port()).matches();
    }

    /** "HASH-ns/svc/tcp/port". Names, namespaces and port names are DNS labels, so nothing here needs quoting. */
    static String serviceBase(ServicePortName name) {
        return hashAndTruncate(name.namespace() + "/" + name.name() + "/" + name.protocol().lower() + "/" + name.port());
    }

    static String endpointBase(ServicePortName name, Endpoint ep) {
        String ip = Addresses.format(ep.ip()).replace(':', '.');
        return hashAndTruncate(name.namespace() + "/" + name.name() + "/" + name.protocol().lower() + "/"
                + name.port() + "__" + ip + "/" + ep.port());
    }

    static String hashAndTruncate(String base) {
        String named = NameHashes.base32Sha256(base, 8) + "-" + base;
        return named.length() > BASE_LENGTH_MAX ? named.substring(0, BASE_LENGTH_MAX - 3) + "..." : named;
    }
}
