package io.svcproxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcproxy.model.Addresses;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Typed access to dotted paths of a config tree. A missing, null or zero value gives the default
 * (kube-proxy's defaulting does the same); a value of the wrong type is a {@link ConfigException}
 * naming the path.
 */
final class FieldReader {
    private final JsonNode root;

    FieldReader(JsonNode root) {
        this.root = root;
    }

    private JsonNode at(String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            node = node == null || !node.isObject() ? null : node.get(part);
        }
        return node == null || node.isNull() ? null : node;
    }

    String string(String path) {
        JsonNode n = at(path);
        if (n == null) {
            return "";
        }
        if (!n.isTextual()) {
            throw new ConfigException(path + ": expected a string, got " + Addresses.printable(n.toString()));
        }
        return n.asText();
    }

    boolean bool(String path, boolean dflt) {
        JsonNode n = at(path);
        if (n == null) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new ConfigException(path + ": expected true or false, got " + Addresses.printable(n.toString()));
        }
        return n.asBoolean();
    }

    int integer(String path, int dflt) {
        JsonNode n = at(path);
        if (n == null) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ConfigException(path + ": expected an integer, got " + Addresses.printable(n.toString()));
        }
        return n.asInt();
    }

    Duration duration(String path, Duration dflt) {
        String text = string(path);
        if (text.isEmpty()) {
            return dflt;
        }
        Duration d;
        try {
            d = GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path + ": " + Addresses.printable(e.getMessage()));
        }
        return d.isZero() ? dflt : d;
    }

    <T> T parse(String path, Function<String, T> parser) {
        try {
            return parser.apply(string(path));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path + ": " + Addresses.printable(e.getMessage()));
        }
    }

    <T> T parseList(String path, Function<List<String>, T> parser) {
        JsonNode n = at(path);
        List<String> values = new ArrayList<>();
        if (n != null) {
            if (!n.isArray()) {
                throw new ConfigException(path + ": expected a list, got " + Addresses.printable(n.toString()));
            }
            n.forEach(v -> values.add(v.asText()));
        }
        try {
            return parser.apply(values);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path + ": " + Addresses.printable(e.getMessage()));
        }
    }
}
