package io.svcproxy.source;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Protocol;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Parses single API fields into model values, throwing {@link InvalidField} naming the field. */
final class FieldParsers {
    private FieldParsers() {
    }

    static InetAddress ip(String text, String field) {
        try {
            return Addresses.parseIp(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidField(field, "invalid IP address '" + Texts.quote(text) + "'");
        }
    }

    static List<InetAddress> ipList(List<String> texts, String field, int max) {
        if (texts == null) {
            return List.of();
        }
        if (texts.size() > max) {
            throw new InvalidField(field, texts.size() + " entries, more than " + max);
        }
        List<InetAddress> result = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            result.add(ip(texts.get(i), field + "[" + i + "]"));
        }
        return result;
    }

    /** A port that must be set: 1..65535. */
    static int requiredPort(Integer port, String field) {
        if (port == null) {
            throw new InvalidField(field, "missing");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidField(field, "port " + port + " out of range 1..65535");
        }
        return port;
    }

    /** A port that may be unset (0): 0..65535. */
    static int optionalPort(Integer port, String field) {
        if (port == null || port == 0) {
            return 0;
        }
        return requiredPort(port, field);
    }

    static Protocol protocol(String text, String field) {
        try {
            return Protocol.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidField(field, "unknown protocol '" + Texts.quote(text) + "' (expected TCP, UDP or SCTP)");
        }
    }
}
