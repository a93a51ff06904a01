package io.svcproxy.e2e.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.svcproxy.e2e.Reply;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The commands the kind driver runs in a client pod or host-network pod (agnhost: curl, bash,
 * busybox dd and timeout) to make one request, and how their output becomes a {@link Reply}:
 * <ul>
 *   <li>TCP: curl GETs {@code /hostname} then {@code /clientip} over one kept-alive connection (so
 *       both answers come from the same pod; the first failure ends it), {@code -v} so a refusal is told
 *       from other failures;</li>
 *   <li>UDP: bash opens one connected UDP socket (a fresh source port) and sends {@code hostname}
 *       then {@code clientip}, reading each reply with one {@code dd} read (one datagram), bounded
 *       by {@code timeout}; an ICMP port unreachable comes back as "Connection refused";</li>
 *   <li>SCTP: the pod's own netexec {@code /dial}s one association and asks {@code hostname} (no
 *       client address: a second association could reach another pod);</li>
 *   <li>HTTP status: curl's {@code %{http_code}}.</li>
 * </ul>
 * Every command is bounded by the request's timeout (curl {@code --max-time}, {@code timeout}).
 */
final class PodRequests {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each step of the UDP exchange, in bash; argv: address port seconds. */
    static final String UDP_SCRIPT = String.join("\n",
            "exec 3<>\"/dev/udp/$1/$2\" || exit 3",
            "for q in hostname clientip; do",
            "  printf '%s' \"$q\" >&3 || exit 4",
            "  r=$(timeout \"$3\" dd bs=2048 count=1 <&3) || exit $?",
            "  [ -n \"$r\" ] || exit 5",
            "  printf '%s\\n' \"$r\"",
            "done");

    /** What a command printed and how it exited. */
    record Output(int exitCode, String stdout, String stderr) {
        String summary() {
            String errs = stderr.lines().filter(PodRequests::telling).limit(4).collect(Collectors.joining(" | "));
            return "exit " + exitCode + ", out '" + stdout.strip().replace('\n', '|') + "'" + (errs.isEmpty() ? "" : ", " + errs);
        }
    }

    private PodRequests() {
    }

    static List<String> tcp(String address, int port, Duration timeout) {
        String base = "http://" + host(address) + ":" + port;
        String t = seconds(timeout);
        return List.of("curl", "-g", "-sS", "-v", "--fail-early", "--connect-timeout", t, "--max-time", t,
                "-w", " %{http_code} %{num_connects}\\n", base + "/hostname", base + "/clientip");
    }

    static Reply parseTcp(Output o) {
        if (o.exitCode() == 0) {
            List<String> lines = o.stdout().lines().filter(l -> !l.isBlank()).toList();
            if (lines.size() == 2) {
                String[] first = trailer(lines.get(0));
                String[] second = trailer(lines.get(1));
                if (first != null && second != null && first[1].equals("200") && second[1].equals("200")) {
                    if (!second[2].equals("0")) {
                        return Reply.failed(Reply.Outcome.OTHER, "the second request was not on the first connection: " + o.summary());
                    }
                    return NetexecReplies.answered(first[0], second[0], o.summary());
                }
            }
            return Reply.failed(Reply.Outcome.OTHER, "unexpected answer: " + o.summary());
        }
        return switch (o.exitCode()) {
            case 28 -> Reply.failed(Reply.Outcome.TIMEOUT, o.summary());
            case 7 -> Reply.failed(refused(o.stderr()) ? Reply.Outcome.REFUSED : Reply.Outcome.OTHER, o.summary());
            default -> Reply.failed(Reply.Outcome.OTHER, o.summary());
        };
    }

    static List<String> udp(String address, int port, Duration timeout) {
        return List.of("bash", "-c", UDP_SCRIPT, "bash", address, String.valueOf(port), wholeSeconds(timeout));
    }

    static Reply parseUdp(Output o) {
        if (o.exitCode() == 0) {
            List<String> lines = o.stdout().lines().filter(l -> !l.isBlank()).toList();
            return lines.size() == 2 ? NetexecReplies.answered(lines.get(0), lines.get(1), o.summary())
                    : Reply.failed(Reply.Outcome.OTHER, "unexpected answer: " + o.summary());
        }
        if (refused(o.stderr())) {
            return Reply.failed(Reply.Outcome.REFUSED, o.summary());
        }
        // timeout(1) exits 124 (coreutils) or with the killed dd's status, 128+SIGTERM (busybox).
        boolean timedOut = o.exitCode() == 124 || o.exitCode() == 143 || o.exitCode() == 137;
        return Reply.failed(timedOut ? Reply.Outcome.TIMEOUT : Reply.Outcome.OTHER, o.summary());
    }

    /** SCTP through the pod's netexec /dial on localhost:dialPort. */
    static List<String> sctp(int dialPort, String address, int port, Duration timeout) {
        String query = "protocol=sctp&request=hostname&tries=1&host=" + URLEncoder.encode(address, StandardCharsets.UTF_8)
                + "&port=" + port;
        return List.of("curl", "-g", "-sS", "--max-time", seconds(timeout),
                "http://127.0.0.1:" + dialPort + "/dial?" + query);
    }

    static Reply parseSctp(Output o) {
        if (o.exitCode() == 28) {
            return Reply.failed(Reply.Outcome.TIMEOUT, o.summary());
        }
        JsonNode json;
        try {
            json = o.exitCode() == 0 ? JSON.readTree(o.stdout()) : null;
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return Reply.failed(Reply.Outcome.OTHER, "no /dial answer: " + o.summary());
        }
        JsonNode responses = json.path("responses");
        if (responses.isArray() && responses.size() == 1) {
            return NetexecReplies.answered(responses.get(0).asText(), null, o.summary());
        }
        String errors = json.path("errors").toString();
        if (refused(errors)) {
            return Reply.failed(Reply.Outcome.REFUSED, errors);
        }
        boolean timedOut = errors.toLowerCase(Locale.ROOT).contains("timeout") || errors.contains("i/o timeout");
        return Reply.failed(timedOut ? Reply.Outcome.TIMEOUT : Reply.Outcome.OTHER, errors);
    }

    static List<String> httpStatus(String address, int port, String path, Duration timeout) {
        return List.of("curl", "-g", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", seconds(timeout),
                "http://" + host(address) + ":" + port + path);
    }

    /** The status, or -1 when no HTTP answer came (curl prints 000). */
    static int parseHttpStatus(Output o) {
        String code = o.stdout().strip();
        return code.matches("[1-5]\\d\\d") ? Integer.parseInt(code) : -1;
    }

    /** "BODY CODE CONNECTS" as curl's -w prints it after the body: {body, code, connects}, or null. */
    private static String[] trailer(String line) {
        String[] f = line.strip().split(" ");
        if (f.length != 3) {
            return null;
        }
        return f;
    }

    private static boolean refused(String text) {
        return text.toLowerCase(Locale.ROOT).contains("connection refused");
    }

    private static boolean telling(String line) {
        String l = line.toLowerCase(Locale.ROOT);
        return l.contains("refused") || l.contains("unreachable") || l.contains("no route") || l.contains("timed out")
                || l.contains("timeout") || l.contains("reset") || l.contains("error") || l.contains("curl:")
                || l.contains("terminated");
    }

    static String host(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", Math.max(0.1, d.toMillis() / 1000.0));
    }

    /** busybox timeout may not take fractions: whole seconds, at least one. */
    private static String wholeSeconds(Duration d) {
        return String.valueOf(Math.max(1, (d.toMillis() + 999) / 1000));
    }
}
