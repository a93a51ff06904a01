package io.svcproxy.model;

/**
 * A problem found in the input, naming the object and field, so an operator can fix it.
 * The object it names is skipped (or the named part of it), the rest is still planned.
 *
 * @param kind   Service, EndpointSlice, Node, Config, ...
 * @param object namespace/name (or a file position when the object has no name)
 * @param field  the offending field path, e.g. "spec.ports[1].port"
 */
public record Warning(String kind, String object, String field, String message) {

    @Override
    public String toString() {
        return kind + " " + object + (field.isEmpty() ? "" : " " + field) + ": " + message;
    }
}
