package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * One set of informers (Services, EndpointSlices, this Node, ServiceCIDRs) and their caches. Each
 * change calls {@code changed}; the address type and annotations of each EndpointSlice added or
 * updated go to {@code sliceAnnotations} (for trigger times, per family). Started without waiting; {@link #hasSynced()} says when
 * every initial list is in. ServiceCIDRs the API server refuses (404: an older cluster, 403: RBAC) do
 * not hold that up: {@code onServiceCidrsUnreadable} hears the status, the informer keeps retrying
 * quietly (fabric8's backoff, 1 s doubling up to 32 s; it fills the cache once they become readable),
 * and the snapshot has none meanwhile.
 */
final class ClusterInformers implements AutoCloseable {
    static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    /** kube-proxy's selector: services of another proxy and headless services are not ours. */
    static final String NOT_OURS = "!" + ServiceConverter.PROXY_NAME_LABEL + ",!" + HEADLESS_LABEL;
    /**
     * Lists are paged (client-go's page size): a cluster of 10k Services and 100k endpoints arrives in
     * pieces of 500 objects, not as one response of many megabytes parsed at once.
     */
    static final long LIST_PAGE_SIZE = 500;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterInformers.class);

    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<GenericKubernetesResource> serviceCidrs;
    private volatile boolean serviceCidrsUnreadable;
    private final Map<SharedIndexInformer<?>, Changes<?>> handlers = new java.util.IdentityHashMap<>();

    ClusterInformers(KubernetesClient client, String hostname, Runnable changed,
                     BiConsumer<String, Map<String, String>> sliceAnnotations, Consumer<Throwable> errors,
                     IntConsumer onServiceCidrsUnreadable) {
        services = client.services().inAnyNamespace().withLabelSelector(NOT_OURS).withLimit(LIST_PAGE_SIZE)
                .runnableInformer(0);
        slices = client.discovery().v1().endpointSlices().inAnyNamespace().withLabelSelector(NOT_OURS)
                .withLimit(LIST_PAGE_SIZE).runnableInformer(0);
        nodes = client.nodes().withName(hostname).runnableInformer(0);
        // All of them, unfiltered, as kube-proxy's ServiceCIDR informer.
        serviceCidrs = client.genericKubernetesResources(ServiceCidrResource.CONTEXT).runnableInformer(0);
        handlers.put(services, new Changes<Service>(changed, o -> { }));
        handlers.put(slices, new Changes<EndpointSlice>(changed,
                s -> sliceAnnotations.accept(s.getAddressType(), s.getMetadata().getAnnotations())));
        handlers.put(nodes, new Changes<Node>(changed, o -> { }));
        handlers.put(serviceCidrs, new Changes<GenericKubernetesResource>(changed, o -> { }));
        services.addEventHandler(handler(services));
        slices.addEventHandler(handler(slices));
        nodes.addEventHandler(handler(nodes));
        serviceCidrs.addEventHandler(handler(serviceCidrs));
        for (SharedIndexInformer<?> informer : all()) {
            informer.exceptionHandler((started, t) -> {
                int refused = informer == serviceCidrs ? ServiceCidrResource.unreadableStatus(t) : 0;
                if (refused != 0) {
                    // An answer, not an outage: the watchdog does not hear of it.
                    serviceCidrsUnreadable = true;
                    onServiceCidrsUnreadable.accept(refused);
                } else {
                    errors.accept(t);
                }
                LOG.debug("{} informer: {} (retrying)", name(informer), t.toString());
                return true; // never give up: the caches (and the rules) stay as they are meanwhile
            });
        }
    }

    ClusterInformers start() {
        all().forEach(SharedIndexInformer::start);
        return this;
    }

    private List<SharedIndexInformer<?>> all() {
        return List.of(services, slices, nodes, serviceCidrs);
    }

    private String name(SharedIndexInformer<?> informer) {
        return informer == serviceCidrs ? ServiceCidrConverter.KIND : informer.getApiTypeClass().getSimpleName();
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> Changes<T> handler(SharedIndexInformer<T> informer) {
        return (Changes<T>) handlers.get(informer);
    }

    /**
     * Every initial list is in, and its add events have reached our handlers (fabric8 delivers them
     * after it reports the informer synced); ServiceCIDRs count as in once the API server refused them.
     */
    boolean hasSynced() {
        return unsynced().isEmpty() && all().stream().allMatch(i -> handlers.get(i).adds() >= i.getStore().list().size());
    }

    List<String> unsynced() {
        return all().stream().filter(i -> !i.hasSynced() && !(i == serviceCidrs && serviceCidrsUnreadable))
                .map(i -> name(i) + "s").toList();
    }

    List<Service> services() {
        return services.getStore().list();
    }

    List<EndpointSlice> slices() {
        return slices.getStore().list();
    }

    List<Node> nodes() {
        return nodes.getStore().list();
    }

    List<GenericKubernetesResource> serviceCidrs() {
        return serviceCidrs.getStore().list();
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> informer : all()) {
            try {
                informer.stop();
            } catch (RuntimeException e) {
                LOG.debug("stopping informer: {}", e.toString());
            }
        }
    }

    /**
     * Calls {@code changed} on every event; {@code added} sees objects added or with a new resourceVersion.
     * (A relist after a 410 Gone sends no event for an object at the same resourceVersion: fabric8's
     * store drops it, so a relist that repeats the cache asks for no sync.)
     */
    private static final class Changes<T extends HasMetadata> implements ResourceEventHandler<T> {
        private final Runnable changed;
        private final Consumer<T> added;
        private final java.util.concurrent.atomic.AtomicInteger adds = new java.util.concurrent.atomic.AtomicInteger();

        int adds() {
            return adds.get();
        }

        Changes(Runnable changed, Consumer<T> added) {
            this.changed = changed;
            this.added = added;
        }

        @Override
        public void onAdd(T obj) {
            adds.incrementAndGet();
            added.accept(obj);
            changed.run();
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            boolean sameVersion = oldObj != null && oldObj.getMetadata() != null && newObj.getMetadata() != null
                    && oldObj.getMetadata().getResourceVersion() != null
                    && oldObj.getMetadata().getResourceVersion().equals(newObj.getMetadata().getResourceVersion());
            if (!sameVersion) {
                added.accept(newObj);
            }
            changed.run(); // cheap: the sync loop coalesces
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            changed.run();
        }
    }
}
