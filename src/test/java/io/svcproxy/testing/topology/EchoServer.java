package io.svcproxy.testing.topology;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The backends' echo server, run in a pod namespace as its own small JVM: answers every TCP
 * connection and every UDP datagram with "NAME PEERADDR\n" (the peer address shows whether the
 * client's source was preserved or masqueraded). No fork per request, so answers are prompt.
 * Sockets are bound to the wildcard address, so both families are served.
 * Usage: {@code EchoServer NAME TCPPORT UDPPORT}, or {@code EchoServer NAME tcp:PORT|udp:PORT...}
 * (any number of ports, e.g. the e2e suite's multiport pods).
 */
public final class EchoServer {
    private EchoServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String name = args[0];
        List<String> ports = new ArrayList<>();
        if (args.length == 3 && !args[1].contains(":")) {
            ports.add("tcp:" + args[1]);
            ports.add("udp:" + args[2]);
        } else {
            ports.addAll(List.of(args).subList(1, args.length));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Thread> servers = new ArrayList<>();
        for (String spec : ports) {
            String[] f = spec.split(":");
            int port = Integer.parseInt(f[1]);
            servers.add(switch (f[0]) {
                case "tcp" -> serve("tcp-" + port, tcp(name, port, pool));
                case "udp" -> serve("udp-" + port, udp(name, port));
                default -> throw new IllegalArgumentException("not tcp:PORT or udp:PORT: " + spec);
            });
        }
        System.out.println("listening");
        System.out.flush();
        for (Thread t : servers) {
            t.join(0);
        }
    }

    /** The argv running this server in the namespace nsName as its own small JVM, serving ports ("tcp:P", "udp:P"). */
    public static List<String> command(String nsName, String name, List<String> ports) {
        String classes;
        try {
            classes = java.nio.file.Path.of(EchoServer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(javaBin, "-Xmx24m", "-Xss256k", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", classes, EchoServer.class.getName(), name));
        argv.addAll(ports);
        return Exec.in(nsName, argv);
    }

    /** Waits (bounded: 300 x 50 ms, a JVM starts) until every port ("tcp:P", "udp:P") listens in the namespace. */
    public static void awaitListening(String nsName, List<String> ports) {
        for (int i = 0; i < 300; i++) {
            List<String> listening = Exec.checked(Exec.in(nsName, List.of("ss", "-Hltun")), null,
                    java.time.Duration.ofSeconds(15)).lines().toList();
            if (ports.stream().allMatch(spec -> {
                String[] f = spec.split(":");
                return listening.stream().anyMatch(l -> l.startsWith(f[0]) && l.contains(":" + f[1] + " "));
            })) {
                return;
            }
            Topology.sleep(50);
        }
        throw new IllegalStateException("echo server in " + nsName + " did not start listening on " + ports);
    }

    private static Thread serve(String label, Runnable loop) {
        Thread t = new Thread(loop, label);
        t.start();
        return t;
    }

    private static Runnable tcp(String name, int port, ExecutorService pool) throws IOException {
        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(port), 256);
        return () -> {
            while (true) {
                Socket s;
                try {
                    s = tcp.accept();
                } catch (IOException e) {
                    continue;   // keep serving
                }
                pool.execute(() -> {
                    try (s; OutputStream out = s.getOutputStream()) {
                        out.write(answer(name, s.getInetAddress()));
                        out.flush();
                    } catch (IOException e) {
                        // client went away
                    }
                });
            }
        };
    }

    private static Runnable udp(String name, int port) throws IOException {
        DatagramSocket udp = new DatagramSocket(port);
        return () -> {
            byte[] buf = new byte[2048];
            while (true) {
                try {
                    DatagramPacket in = new DatagramPacket(buf, buf.length);
                    udp.receive(in);
                    byte[] reply = answer(name, in.getAddress());
                    udp.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
                } catch (IOException e) {
                    // keep serving
                }
            }
        };
    }

    private static byte[] answer(String name, java.net.InetAddress peer) {
        return (name + " " + peer.getHostAddress() + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
