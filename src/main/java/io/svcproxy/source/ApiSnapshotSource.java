package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.svcproxy.model.ClusterSnapshot;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Kubernetes API as the source of truth, like kube-proxy: informers on Services and
 * EndpointSlices (all namespaces, without {@code service.kubernetes.io/service-proxy-name} and
 * {@code service.kubernetes.io/headless}, selected server-side and filtered again here) and on
 * this node's Node ({@code metadata.name=<hostname>}).
 *
 * <ul>
 *   <li>Informer callbacks only record that something changed and call the listener; {@link #current()}
 *       builds the snapshot from the informer caches with {@link SnapshotBuilder} and caches it until the
 *       next change.</li>
 *   <li>{@link #start(Runnable)} returns only once every informer has its initial list: a node never
 *       gets an empty ruleset because a cache was still empty. While waiting it logs what it waits for.</li>
 *   <li>API outage: the caches keep the last state (so do the rules); the connection state is logged
 *       once per change (see {@link ConnectionWatchdog}); after a reconnect the informers relist and the
 *       listener is called so a sync follows.</li>
 *   <li>Each EndpointSlice add/update queues its {@code endpoints.kubernetes.io/last-change-trigger-time}
 *       for network programming latency ({@link #takeTriggerTimes()}).</li>
 * </ul>
 *
 * The client must not go through the {@code kubernetes} Service VIP this proxy programs: see
 * {@link ApiConnection}.
 */
public final class ApiSnapshotSource implements SnapshotSource {
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    static final Duration SYNC_LOG_EVERY = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(ApiSnapshotSource.class);

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String hostname;
    private final String endpoint;
    private final long watchdogPollMillis;
    private final AtomicLong changes = new AtomicLong();
    private final TriggerTimes triggerTimes = new TriggerTimes();
    private volatile Runnable onChange = () -> { };
    private volatile boolean synced;
    private volatile boolean closed;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<Node> nodes;
    private ConnectionWatchdog watchdog;
    private long builtAt = -1;
    private ClusterSnapshot cached;
    private Set<Warning> loggedWarnings = Set.of();

    /** Connects as {@code connection} says; the node is {@code hostnameOverride}, else this host's name. */
    public ApiSnapshotSource(ApiConnection connection, String hostnameOverride) {
        this(KubeClientFactory.create(connection), true, NodeName.resolve(hostnameOverride), 1000);
    }

    /** For tests: an existing client (closed by {@link #close()} only if {@code ownsClient}). */
    ApiSnapshotSource(KubernetesClient client, boolean ownsClient, String hostname, long watchdogPollMillis) {
        this.client = Objects.requireNonNull(client);
        this.ownsClient = ownsClient;
        this.hostname = Objects.requireNonNull(hostname);
        this.endpoint = String.valueOf(client.getMasterUrl());
        this.watchdogPollMillis = watchdogPollMillis;
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
                    + "until it arrives", String.join(", ", unsynced()), endpoint);
        }
    }

    /** Starts the informers without waiting (then use {@link #awaitInitialSync}). */
    void startInformers(Runnable listener) {
        this.onChange = Objects.requireNonNull(listener);
        LOG.info("watching Services, EndpointSlices and Node {} on the API server {}", Texts.quote(hostname), endpoint);
        watchdog = new ConnectionWatchdog(this::allWatching, this::reconnected, endpoint);
        String notOurs = "!" + ServiceConverter.PROXY_NAME_LABEL + ",!" + HEADLESS_LABEL;
        services = client.services().inAnyNamespace()
                .withLabelSelector(notOurs).runnableInformer(0);
        slices = client.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabelSelector(notOurs).runnableInformer(0);
        nodes = client.nodes().withName(hostname).runnableInformer(0);
        services.addEventHandler(new Changes<>(s -> { }));
        slices.addEventHandler(new Changes<>(s -> triggerTimes.record(s.getMetadata().getAnnotations())));
        nodes.addEventHandler(new Changes<>(n -> { }));
        for (SharedIndexInformer<?> informer : informers()) {
            informer.exceptionHandler((started, t) -> {
                watchdog.error(t);
                LOG.debug("{} informer: {} (retrying)", informer.getApiTypeClass().getSimpleName(), t.toString());
                return true; // never give up: the caches (and the rules) stay as they are meanwhile
            });
            informer.start();
        }
    }

    /**
     * Waits up to {@code timeout} for every informer's initial list; true once all have synced. The
     * informers keep retrying in the background either way.
     */
    public boolean awaitInitialSync(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allSynced()) {
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
        if (!synced) {
            synced = true;
            watchdog.start(watchdogPollMillis);
            ClusterSnapshot first = current();
            LOG.info("initial lists from the API server: {} service ports, {} EndpointSlices, node {}",
                    first.services().size(), slices.getStore().list().size(),
                    first.node().isPresent() ? Texts.quote(hostname) : Texts.quote(hostname) + " not found");
        }
        return true;
    }

    private boolean allSynced() {
        return informers().stream().allMatch(i -> i != null && i.hasSynced());
    }

    private List<String> unsynced() {
        return informers().stream().filter(i -> i != null && !i.hasSynced())
                .map(i -> i.getApiTypeClass().getSimpleName() + "s").toList();
    }

    private boolean allWatching() {
        return informers().stream().allMatch(i -> i != null && i.isWatching());
    }

    private List<SharedIndexInformer<?>> informers() {
        return java.util.Arrays.asList(services, slices, nodes);
    }

    private void reconnected() {
        changed();
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
            List<Service> svc = services.getStore().list().stream().filter(ApiSnapshotSource::proxied).toList();
            List<EndpointSlice> eps = slices.getStore().list().stream().filter(ApiSnapshotSource::proxied).toList();
            Optional<Node> node = nodes.getStore().list().stream()
                    .filter(n -> n.getMetadata() != null && hostname.equals(n.getMetadata().getName())).findFirst();
            cached = SnapshotBuilder.build(svc, eps, node, hostname);
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
        Set<Warning> now = new HashSet<>(warnings);
        for (Warning w : warnings) {
            if (!loggedWarnings.contains(w)) {
                LOG.warn("{}", w);
            }
        }
        loggedWarnings = now;
    }

    @Override
    public List<Instant> takeTriggerTimes() {
        return triggerTimes.take();
    }

    @Override
    public void close() {
        closed = true;
        if (watchdog != null) {
            watchdog.close();
        }
        for (SharedIndexInformer<?> informer : informers()) {
            if (informer != null) {
                try {
                    informer.stop();
                } catch (RuntimeException e) {
                    LOG.debug("stopping informer: {}", e.toString());
                }
            }
        }
        if (ownsClient) {
            client.close();
        }
    }

    /** Connection state, for tests and health. */
    boolean connected() {
        return watchdog != null && watchdog.state() == ConnectionWatchdog.State.CONNECTED;
    }

    /** Marks every change; {@code onAddOrUpdate} sees objects added or whose resourceVersion changed. */
    private final class Changes<T extends HasMetadata> implements ResourceEventHandler<T> {
        private final Consumer<T> onAddOrUpdate;

        Changes(Consumer<T> onAddOrUpdate) {
            this.onAddOrUpdate = onAddOrUpdate;
        }

        @Override
        public void onAdd(T obj) {
            onAddOrUpdate.accept(obj);
            changed();
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            boolean sameVersion = oldObj != null && oldObj.getMetadata() != null && newObj.getMetadata() != null
                    && oldObj.getMetadata().getResourceVersion() != null
                    && oldObj.getMetadata().getResourceVersion().equals(newObj.getMetadata().getResourceVersion());
            if (!sameVersion) { // a relist of an unchanged object is no new trigger
                onAddOrUpdate.accept(newObj);
            }
            changed(); // cheap: the sync loop coalesces
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            changed();
        }
    }
}
