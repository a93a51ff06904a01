package io.svcproxy.e2e.kind;

import io.svcproxy.e2e.Reply;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What agnhost netexec answers, read back: its hostname (the pod's name) for {@code /hostname} or the
 * UDP/SCTP command {@code hostname}, and the client's {@code IP:port} ({@code [IPv6]:port}) for
 * {@code /clientip} or {@code clientip}. Addresses are returned canonical, as
 * {@link InetAddress#getHostAddress()} renders them, so they compare with the driver's own.
 */
final class NetexecReplies {
    private NetexecReplies() {
    }

    /** A pod answered with its name and, on the same connection or socket, the client address it saw (or null). */
    static Reply answered(String hostname, String clientIpPort, String detail) {
        String pod = hostname == null ? "" : hostname.strip();
        if (pod.isEmpty() || pod.chars().anyMatch(Character::isWhitespace)) {
            return Reply.failed(Reply.Outcome.OTHER, "not a hostname: '" + hostname + "'; " + detail);
        }
        if (clientIpPort == null) {
            return Reply.answered(pod, null, detail);
        }
        String client = clientIp(clientIpPort.strip());
        return client == null ? Reply.failed(Reply.Outcome.OTHER, "not IP:port: '" + clientIpPort + "'; " + detail)
                : Reply.answered(pod, client, detail);
    }

    /** The IP of {@code IP:port} or {@code [IPv6]:port}, canonical; null if it is neither. */
    static String clientIp(String ipPort) {
        String ip;
        if (ipPort.startsWith("[")) {
            int close = ipPort.indexOf("]:");
            if (close < 0) {
                return null;
            }
            ip = ipPort.substring(1, close);
        } else {
            int colon = ipPort.lastIndexOf(':');
            if (colon < 0 || ipPort.indexOf(':') != colon) {
                return null;
            }
            ip = ipPort.substring(0, colon);
        }
        return isIpLiteral(ip) ? canonical(ip) : null;
    }

    /** An IP literal as {@link InetAddress#getHostAddress()} renders it (IPv6 uncompressed). */
    static String canonical(String ip) {
        if (!isIpLiteral(ip)) {
            throw new IllegalArgumentException("not an IP literal: " + ip);
        }
        try {
            return InetAddress.getByName(ip).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    /** Only literals: InetAddress.getByName would otherwise resolve a name through DNS. */
    static boolean isIpLiteral(String s) {
        return !s.isEmpty() && (s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.contains(":") && s.matches("[0-9A-Fa-f:.%\\w]+")));
    }
}
