package io.svcproxy.testing.topology;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The backends' echo server, run in a pod namespace as its own small JVM: answers every TCP
 * connection and every UDP datagram with "NAME PEERADDR\n" (the peer address shows whether the
 * client's source was preserved or masqueraded). No fork per request, so answers are prompt.
 * Usage: EchoServer NAME TCPPORT UDPPORT
 */
public final class EchoServer {
    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        String name = args[0];
        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(Integer.parseInt(args[1])), 256);
        DatagramSocket udp = new DatagramSocket(Integer.parseInt(args[2]));
        Thread udpThread = new Thread(() -> {
            byte[] buf = new byte[2048];
            while (true) {
                try {
                    DatagramPacket in = new DatagramPacket(buf, buf.length);
                    udp.receive(in);
                    byte[] reply = (name + " " + in.getAddress().getHostAddress() + "\n").getBytes(StandardCharsets.UTF_8);
                    udp.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
                } catch (IOException e) {
                    // keep serving
                }
            }
        }, "udp");
        udpThread.setDaemon(true);
        udpThread.start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        System.out.println("listening");
        System.out.flush();
        while (true) {
            Socket s = tcp.accept();
            pool.execute(() -> {
                try (s; OutputStream out = s.getOutputStream()) {
                    out.write((name + " " + s.getInetAddress().getHostAddress() + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    // client went away
                }
            });
        }
    }
}
