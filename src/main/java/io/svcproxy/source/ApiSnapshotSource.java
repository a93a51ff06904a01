package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.TriggerTime;
import io.svcproxy.model.Warning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Kubernetes API as the source of truth, like kube-proxy: informers on Services and
 * EndpointSlices (all namespaces, without {@code service.kubernetes.io/service-proxy-name} and
 * {@code service.kubernetes.io/headless}, selected server-side and filtered again here) and on
 * this node's Node ({@code metadata.name=<hostname>}) and on ServiceCIDRs (all, unfiltered; a cluster
 * that has none or forbids them is logged once and read without), see {@link ClusterInformers}.
 *
 * <ul>
 *   <li>Informer callbacks only record that something changed and call the listener; {@link #current()}
 *       builds the snapshot from the informer caches with {@link SnapshotBuilder} (converting only the
 *       objects that changed since its last build) and caches it until the next change.</li>
 *   <li>{@link #start(Runnable)} returns only once every informer has its initial list: a node never
 *       gets an empty ruleset because a cache was still empty. While waiting it logs what it waits for.</li>
 *   <li>API outage: the caches keep the last state (so do the rules); the connection state is logged
 *       once per change ({@link ConnectionWatchdog}); once the API is back, everything is relisted
 *       (fresh informers, swapped in when synced) and the relist listener ({@link #onRelisted}, by
 *       default the change listener) is called so a sync follows; the daemon makes it a full one.</li>
 *   <li>Each EndpointSlice add/update (not the ones the initial list or a relist only repeats) queues its
 *       {@code endpoints.kubernetes.io/last-change-trigger-time} for network programming latency
 *       ({@link #takeTriggerTimes()}).</li>
 * </ul>
 *
 * The client must not go through the {@code kubernetes} Service VIP this proxy programs: see
 * {@link ApiConnection}.
 */
public final class ApiSnapshotSource implements SnapshotSource {
    public static final String HEADLESS_LABEL = ClusterInformers.HEADLESS_LABEL;
    static final Duration SYNC_LOG_EVERY = Duration.ofSeconds(10);
    static final Duration RELIST_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(ApiSnapshotSource.class);

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String hostname;
    private final String endpoint;
    private final String versionUrl;
    private final long probeMillis;
    private final AtomicLong changes = new AtomicLong();
    private final TriggerTimes triggerTimes = new TriggerTimes();
    private final ConnectionWatchdog watchdog;
    private final ApiRefusals refusals;
    private volatile Runnable onChange = () -> { };
    private volatile Runnable onRelisted;
    private volatile boolean synced;
    private volatile boolean closed;
    private volatile ClusterInformers informers;
    private long builtAt = -1;
    private ClusterSnapshot cached;
    /** Remembers the last build: only the objects that changed since are converted again. */
    private final SnapshotBuilder builder = new SnapshotBuilder(true);
    private Set<Warning> loggedWarnings = Set.of();
    /** Once per source, not per relist: a cluster without ServiceCIDRs stays without them. */
    private final AtomicBoolean serviceCidrsUnreadableLogged = new AtomicBoolean();

    /** Connects as {@code connection} says; the node is {@code hostnameOverride}, else this host's name. */
    public ApiSnapshotSource(ApiConnection connection, String hostnameOverride) {
        this(new ApiRefusals(), connection, hostnameOverride);
    }

    private ApiSnapshotSource(ApiRefusals refusals, ApiConnection connection, String hostnameOverride) {
        this(KubeClientFactory.create(connection, refusals), true, NodeName.resolve(hostnameOverride), 5000, refusals);
    }

    /** For tests: an existing client (closed by {@link #close()} only if {@code ownsClient}). */
    ApiSnapshotSource(KubernetesClient client, boolean ownsClient, String hostname, long probeMillis) {
        this(client, ownsClient, hostname, probeMillis, new ApiRefusals());
    }

    /** For tests: {@code refusals} must be the interceptor of {@code client} (see {@link KubeClientFactory}). */
    ApiSnapshotSource(KubernetesClient client, boolean ownsClient, String hostname, long probeMillis,
                      ApiRefusals refusals) {
        this.refusals = Objects.requireNonNull(refusals);
        this.client = Objects.requireNonNull(client);
        this.ownsClient = ownsClient;
        this.hostname = Objects.requireNonNull(hostname);
        this.endpoint = String.valueOf(client.getMasterUrl());
        this.versionUrl = versionUrl(client);
        this.probeMillis = probeMillis;
        this.watchdog = new ConnectionWatchdog(this::probe, this::relist, endpoint);
    }

    private static String versionUrl(KubernetesClient client) {
        try {
            return new java.net.URL(client.getMasterUrl(), "version").toString();
        } catch (java.net.MalformedURLException e) {
            throw new SourceException("invalid API server URL " + client.getMasterUrl(), e);
        }
    }

    /** Starts the informers and blocks until each has its initial list (see {@link #awaitInitialSync}). */
    @Override
    public void start(Runnable listener) {
        startInformers(listener);
        while (!awaitInitialSync(SYNC_LOG_EVERY)) {
            if (closed) {
                throw new SourceException("closed before the initial lists from the API server arrived");
            }
            LOG.warn("still waiting for the initial list of {} from the API server {}; no rules are written "
                    + "until it arrives", String.join(", ", informers.unsynced()), endpoint);
        }
    }

    /**
     * Called instead of the change listener once everything was relisted after an outage (null: the
     * change listener). The daemon requests a full sync there: rules may have drifted meanwhile.
     */
    public void onRelisted(Runnable listener) {
        this.onRelisted = listener;
    }

    /** Starts the informers without waiting (then use {@link #awaitInitialSync}). */
    void startInformers(Runnable listener) {
        this.onChange = Objects.requireNonNull(listener);
        LOG.info("watching Services, EndpointSlices, ServiceCIDRs and Node {} on the API server {}",
                Texts.quote(hostname), endpoint);
        triggerTimes.ignoreBefore(Instant.now());
        informers = newInformers().start();
    }

    private ClusterInformers newInformers() {
        AtomicReference<ClusterInformers> self = new AtomicReference<>();
        ClusterInformers set = new ClusterInformers(client, hostname, () -> changedIn(self.get()), triggerTimes::record,
                watchdog::error, this::serviceCidrsUnreadable);
        self.set(set);
        return set;
    }

    /**
     * A relist's fresh informers fill their caches while the current ones still serve: what they list
     * is no change until they replace them (then {@link #relist} asks for one sync), or every object
     * they list would ask for a sync of the old state.
     */
    private void changedIn(ClusterInformers set) {
        ClusterInformers current = informers;
        if (current != null && set != current) {
            return;
        }
        changed();
    }

    private void serviceCidrsUnreadable(int status) {
        if (serviceCidrsUnreadableLogged.compareAndSet(false, true)) {
            LOG.warn("{}", ServiceCidrResource.unreadableMessage(status, endpoint));
        }
    }

    /**
     * Waits up to {@code timeout} for every informer's initial list; true once all have synced. The
     * informers keep retrying in the background either way.
     */
    public boolean awaitInitialSync(Duration timeout) {
        if (informers == null) {
            throw new IllegalStateException("not started");
        }
        if (!awaitSynced(informers, timeout)) {
            return false;
        }
        if (!synced) {
            synced = true;
            watchdog.start(probeMillis);
            ClusterSnapshot first = current();
            LOG.info("initial lists from the API server: {} service ports, {} EndpointSlices, node {}{}, service CIDRs {}",
                    first.services().size(), informers.slices().size(), Texts.quote(hostname),
                    first.node().isPresent() ? "" : " not found", first.serviceCidrs());
        }
        return true;
    }

    private boolean awaitSynced(ClusterInformers set, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!set.hasSynced()) {
            if (closed || System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** A cheap request (GET /version, body not parsed): is the API server answering? Any HTTP answer counts. */
    private boolean probe() {
        try {
            client.raw(versionUrl);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() > 0) {
                return true;
            }
            LOG.debug("probe of {} failed", endpoint, e);
            watchdog.error(e);
            return false;
        } catch (RuntimeException e) {
            LOG.debug("probe of {} failed", endpoint, e);
            watchdog.error(e);
            return false;
        }
    }

    /**
     * After an outage: a watch resumed from an old resourceVersion may have missed changes, so
     * everything is listed again by fresh informers; they replace the old ones once synced.
     */
    private boolean relist() {
        // Changes after the last good probe may have been missed by the watches: their times count.
        triggerTimes.ignoreBefore(watchdog.lastReachable());
        ClusterInformers fresh = newInformers().start();
        if (!awaitSynced(fresh, RELIST_TIMEOUT)) {
            fresh.close();
            return false;
        }
        ClusterInformers old = informers;
        informers = fresh;
        old.close();
        changes.incrementAndGet();
        Runnable listener = onRelisted;
        (listener != null ? listener : onChange).run();
        return true;
    }

    private void changed() {
        changes.incrementAndGet();
        if (synced) {
            onChange.run();
        }
    }

    /** The snapshot of the informer caches; rebuilt only after a change. Only after the initial sync. */
    @Override
    public synchronized ClusterSnapshot current() {
        if (!synced) {
            throw new IllegalStateException("the initial lists from the API server have not arrived yet");
        }
        long generation = changes.get();
        if (generation != builtAt || cached == null) {
            ClusterInformers set = informers;
            List<Service> svc = set.services().stream().filter(ApiSnapshotSource::proxied).toList();
            List<EndpointSlice> eps = set.slices().stream().filter(ApiSnapshotSource::proxied).toList();
            Optional<Node> node = set.nodes().stream()
                    .filter(n -> n.getMetadata() != null && hostname.equals(n.getMetadata().getName())).findFirst();
            cached = builder.rebuild(svc, eps, set.serviceCidrs(), node, hostname, List.of());
            builtAt = generation;
            logNewWarnings(cached.warnings());
        }
        return cached;
    }

    /** Client-side guard for the server-side label selector (a server or cache that ignored it). */
    static boolean proxied(HasMetadata o) {
        Map<String, String> labels = o.getMetadata() == null ? null : o.getMetadata().getLabels();
        return labels == null
                || !(labels.containsKey(ServiceConverter.PROXY_NAME_LABEL) || labels.containsKey(HEADLESS_LABEL));
    }

    private void logNewWarnings(List<Warning> warnings) {
        for (Warning w : warnings) {
            if (!loggedWarnings.contains(w)) {
                LOG.warn("{}", w);
            }
        }
        loggedWarnings = new HashSet<>(warnings);
    }

    /** Warning Events on this Node for sync failures, at most one a minute. */
    public NodeEvents nodeEvents() {
        return new NodeEvents(client, hostname, Duration.ofMinutes(1), java.time.Clock.systemUTC());
    }

    @Override
    public List<TriggerTime> takeTriggerTimes() {
        return triggerTimes.take();
    }

    /**
     * Why this node's rules cannot follow the API right now, if they cannot: the API server refuses a
     * list or watch (RBAC missing a verb, a revoked token). The daemon reports it as not ready.
     */
    public Optional<String> problem() {
        return refusals.describe();
    }

    /** Whether the API server answers (as last probed), for tests and health. */
    boolean connected() {
        return synced && watchdog.state() == ConnectionWatchdog.State.CONNECTED;
    }

    @Override
    public void close() {
        closed = true;
        watchdog.close();
        ClusterInformers set = informers;
        if (set != null) {
            set.close();
        }
        if (ownsClient) {
            client.close();
        }
    }
}
