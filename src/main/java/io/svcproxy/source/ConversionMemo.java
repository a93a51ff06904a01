package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.svcproxy.model.Warning;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What the last build converted each object to, so a build converts only the objects that changed.
 * An object is found again by identity (an informer cache hands out the same object until it
 * changes) or, when versions are trusted, by its namespace, name, uid and resourceVersion: a relist,
 * or a watch that replays what was listed, hands out new objects that are the same version, and
 * converting them again would give every unchanged service new values, which the planners would
 * then compare field by field on every later sync instead of telling them unchanged by identity.
 * Only the API server promises that one resourceVersion is one content; a file edited by hand does
 * not, so the file source trusts identity alone.
 *
 * @param <O> the API object
 * @param <R> what it converts to
 */
final class ConversionMemo<O extends HasMetadata, R> {
    /** What one object converted to, and the warnings its conversion gave. */
    record Converted<R>(R result, List<Warning> warnings) {
    }

    private record Version(String namespace, String name, String uid, String resourceVersion) {
    }

    private final boolean trustVersions;
    private final BiFunction<O, List<Warning>, R> converter;
    private Map<O, Converted<R>> byIdentity = new IdentityHashMap<>();
    private Map<Version, Converted<R>> byVersion = new HashMap<>();
    private Map<O, Converted<R>> nextIdentity = new IdentityHashMap<>();
    private Map<Version, Converted<R>> nextVersion = new HashMap<>();

    ConversionMemo(boolean trustVersions, BiFunction<O, List<Warning>, R> converter) {
        this.trustVersions = trustVersions;
        this.converter = converter;
    }

    /** The object's conversion: the remembered one if it is the same object or version, else a new one. */
    Converted<R> convert(O object) {
        Version version = trustVersions ? version(object) : null;
        Converted<R> c = byIdentity.get(object);
        if (c == null && version != null) {
            c = byVersion.get(version);
        }
        if (c == null) {
            List<Warning> w = new ArrayList<>();
            c = new Converted<>(converter.apply(object, w), List.copyOf(w));
        }
        nextIdentity.put(object, c);
        if (version != null) {
            nextVersion.put(version, c);
        }
        return c;
    }

    /** Ends a build: what it did not convert (deleted objects) is forgotten. */
    void endBuild() {
        byIdentity = nextIdentity;
        byVersion = nextVersion;
        nextIdentity = new IdentityHashMap<>();
        nextVersion = new HashMap<>();
    }

    private static Version version(HasMetadata object) {
        ObjectMeta meta = object.getMetadata();
        if (meta == null || meta.getResourceVersion() == null || meta.getResourceVersion().isEmpty()
                || meta.getName() == null) {
            return null;
        }
        return new Version(meta.getNamespace(), meta.getName(), meta.getUid(), meta.getResourceVersion());
    }
}
