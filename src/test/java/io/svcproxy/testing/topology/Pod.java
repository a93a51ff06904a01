package io.svcproxy.testing.topology;

import io.svcproxy.testing.NetNs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One namespace of a {@link Topology} (a backend pod, the client pod, the external host) with its
 * primary address, and the client-side helpers: every loop is bounded in count, every attempt in time.
 */
public final class Pod {
    /**
     * TCP probes: one socat per attempt, with a connect timeout (what a DROP shows as) and a longer
     * inactivity timeout once connected: an established connection is answered, only a loaded host
     * (a starved echo JVM) can make the answer late, and that is not what the tests measure.
     */
    private static final String TCP_SCRIPT = """
            ip=$1; port=$2; n=$3; t=$4; gap=$5; bind=$6
            opt="connect-timeout=$t"; [ -n "$bind" ] && opt="$opt,bind=$bind"
            for ((i=0; i<n; i++)); do
              s=$(date +%s%N)
              out=$(socat -T5 - "TCP:$ip:$port,$opt" </dev/null 2>&1); rc=$?
              e=$(date +%s%N)
              out=${out//$'\\n'/ }
              echo "$rc $(( (e-s)/1000000 )) $out"
              [ "$gap" = 0 ] || sleep "$gap"
            done
            """;
    /**
     * UDP probes from a fresh ephemeral port each (bash's /dev/udp connects a socket; dd reads exactly
     * one datagram, where bash's read would take one byte of it and drop the rest).
     */
    private static final String UDP_SCRIPT = """
            ip=$1; port=$2; n=$3; t=$4; gap=$5
            for ((i=0; i<n; i++)); do
              s=$(date +%s%N)
              out=$( { exec 3<>"/dev/udp/$ip/$port" && echo x >&3 && timeout "$t" dd bs=2048 count=1 status=none <&3; } 2>&1 )
              rc=$?
              e=$(date +%s%N)
              echo "$rc $(( (e-s)/1000000 )) ${out//$'\\n'/ }"
              [ "$gap" = 0 ] || sleep "$gap"
            done
            """;
    /**
     * UDP probes from a given source port ("PORT": the same conntrack flow every time) or from one
     * port after another ("PORT+STEP": a new flow each, no port used twice).
     */
    private static final String UDP_FIXED_SCRIPT = """
            ip=$1; port=$2; n=$3; t=$4; gap=$5; first=${6%%+*}; step=0; [[ $6 == *+* ]] && step=${6#*+}
            for ((i=0; i<n; i++)); do
              s=$(date +%s%N); sport=$((first + i * step))
              out=$(echo x | socat -T"$t" -t0.5 - "UDP:$ip:$port,sourceport=$sport,reuseaddr" 2>&1); rc=$?
              e=$(date +%s%N)
              out=${out//$'\\n'/ }
              echo "$rc $(( (e-s)/1000000 )) $out"
              [ "$gap" = 0 ] || sleep "$gap"
            done
            """;

    private final String name;
    private final NetNs ns;
    private final String ip;
    private final Path logDir;

    public Pod(String name, NetNs ns, String ip, Path logDir) {
        this.name = name;
        this.ns = ns;
        this.ip = ip;
        this.logDir = logDir;
    }

    public String name() {
        return name;
    }

    public NetNs ns() {
        return ns;
    }

    public String ip() {
        return ip;
    }

    /** Runs argv in this namespace, bounded; fails unless it exits 0. */
    public String sh(Duration bound, String... argv) {
        return Exec.checked(Exec.in(ns.name(), List.of(argv)), null, bound);
    }

    public Probe tcp(String dst, int port, double timeoutSeconds) {
        return tcpMany(dst, port, 1, timeoutSeconds).probes().get(0);
    }

    public Probe tcpFrom(String bind, String dst, int port, double timeoutSeconds) {
        return probes(TCP_SCRIPT, false, dst, port, 1, timeoutSeconds, 0, bind).get(0);
    }

    public Histogram tcpMany(String dst, int port, int n, double timeoutSeconds) {
        return Histogram.of(probes(TCP_SCRIPT, false, dst, port, n, timeoutSeconds, 0, ""));
    }

    public Histogram tcpManyFrom(String bind, String dst, int port, int n, double timeoutSeconds) {
        return Histogram.of(probes(TCP_SCRIPT, false, dst, port, n, timeoutSeconds, 0, bind));
    }

    public Probe udp(String dst, int port, double timeoutSeconds) {
        return udpMany(dst, port, 1, timeoutSeconds).probes().get(0);
    }

    public Histogram udpMany(String dst, int port, int n, double timeoutSeconds) {
        return Histogram.of(probes(UDP_SCRIPT, true, dst, port, n, timeoutSeconds, 0, ""));
    }

    /** n datagrams, each from sourcePort (one long-lived conntrack flow), each awaiting its reply. */
    public Histogram udpFlow(String dst, int port, int sourcePort, int n, double timeoutSeconds) {
        return Histogram.of(probes(UDP_FIXED_SCRIPT, true, dst, port, n, timeoutSeconds, 0, String.valueOf(sourcePort)));
    }

    /**
     * n datagrams from the source ports firstSourcePort, firstSourcePort + 1, ...: n new flows, none
     * on a port an ephemeral one (or an earlier call that did not overlap) could have used, each
     * awaiting its reply.
     */
    public Histogram udpFromPorts(String dst, int port, int firstSourcePort, int n, double timeoutSeconds) {
        if (firstSourcePort < 1024 || firstSourcePort + n > 32768) {
            throw new IllegalArgumentException("source ports " + firstSourcePort + "+" + n
                    + " leave 1024..32767 (below the ephemeral range)");
        }
        return Histogram.of(probes(UDP_FIXED_SCRIPT, true, dst, port, n, timeoutSeconds, 0, firstSourcePort + "+1"));
    }

    /**
     * Starts a TCP client loop in the background (n attempts, gapSeconds apart); its stdout holds one
     * probe line per attempt, read with {@link #results(BackgroundProcess)} once it ends.
     */
    public BackgroundProcess tcpLoop(String dst, int port, int n, double timeoutSeconds, double gapSeconds) {
        return BackgroundProcess.start(name + "-loop", Exec.in(ns.name(), List.of("bash", "-c", TCP_SCRIPT, "probe",
                dst, String.valueOf(port), String.valueOf(n), fmt(timeoutSeconds), fmt(gapSeconds), "")), logDir);
    }

    public static Histogram results(BackgroundProcess loop) {
        return Histogram.of(loop.stdout().lines().filter(l -> !l.isBlank()).map(l -> Probe.parse(l, false)).toList());
    }

    /** Sends SCTP INITs with nmap (the kernel has no SCTP sockets; conntrack and DNAT still see them). */
    public String sctpInit(String dst, int port) {
        NetNs.Result r = Exec.run(Exec.in(ns.name(), List.of("nmap", "-sY", "-Pn", "-n", "--max-retries", "1",
                "--host-timeout", "10s", "-p", String.valueOf(port), dst)), null, Duration.ofSeconds(30));
        if (r.exitCode() != 0) {
            throw new AssertionError("nmap -sY failed: " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    /** conntrack -L in this namespace, with extra filter arguments (e.g. "-p", "sctp"). */
    public String conntrack(String... filter) {
        List<String> argv = new ArrayList<>(List.of("conntrack", "-L"));
        argv.addAll(List.of(filter));
        NetNs.Result r = Exec.run(Exec.in(ns.name(), argv), null, Duration.ofSeconds(10));
        if (r.exitCode() != 0) {
            throw new AssertionError("conntrack -L failed: " + r.stderr());
        }
        return r.stdout();
    }

    private List<Probe> probes(String script, boolean udp, String dst, int port, int n, double timeoutSeconds,
                               double gapSeconds, String extra) {
        if (n < 1 || n > 2000) {
            throw new IllegalArgumentException("probe count out of bounds: " + n);
        }
        Duration bound = Duration.ofMillis((long) (n * (timeoutSeconds * 2 + gapSeconds + 0.2) * 1000) + 10_000);
        String out = Exec.checked(Exec.in(ns.name(), List.of("bash", "-c", script, "probe", dst, String.valueOf(port),
                String.valueOf(n), fmt(timeoutSeconds), fmt(gapSeconds), extra)), null, bound);
        List<Probe> probes = out.lines().filter(l -> !l.isBlank()).map(l -> Probe.parse(l, udp)).toList();
        if (probes.size() != n) {
            throw new AssertionError("expected " + n + " probe lines, got:\n" + out);
        }
        return probes;
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
    }

    @Override
    public String toString() {
        return name + "(" + ip + " in " + ns.name() + ")";
    }
}
