package io.svcproxy.source;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.ServicePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.svcproxy.model.Protocol.TCP;
import static io.svcproxy.model.Protocol.UDP;
import static io.svcproxy.source.Fixtures.ip;
import static io.svcproxy.source.Fixtures.service;
import static io.svcproxy.source.Fixtures.spn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterFileSourceTest {
    @TempDir
    Path tmp;

    @Test
    void readsAKubectlList() {
        ClusterSnapshot s = Fixtures.load("source/valid-list.yaml", "node-a");
        assertEquals(List.of(), s.warnings());
        assertEquals(2, s.services().size());
        ServicePort web = service(s, "shop", "web", "", TCP);
        assertEquals(30100, web.nodePort());
        assertTrue(web.externalPolicyLocal());
        assertEquals(0, web.healthCheckNodePort(), "health check node port only for LoadBalancer");
        List<Endpoint> api = s.endpointsOf(spn("shop", "api", "http", TCP));
        assertEquals(List.of("10.244.1.5:8080", "10.244.2.5:8080"), api.stream().map(Endpoint::toString).toList());
        assertTrue(api.get(1).ready(), "the ready copy of a duplicated endpoint wins");
        assertEquals(1, s.endpointsOf(web.name()).size());
        assertEquals("node-a", s.node().orElseThrow().name());
        assertEquals(List.of(ip("192.168.56.21")), s.node().orElseThrow().addresses());
    }

    /** kubectl get servicecidrs -o yaml: v1 objects are read (in a List too), other versions ignored. */
    @Test
    void readsServiceCidrDocuments() throws IOException {
        Path file = tmp.resolve("cidrs.yaml");
        Files.writeString(file, """
                apiVersion: networking.k8s.io/v1
                kind: ServiceCIDR
                metadata:
                  name: kubernetes
                spec:
                  cidrs: [10.96.0.0/16, "fd00:10:96::/112"]
                ---
                apiVersion: v1
                kind: List
                items:
                - apiVersion: networking.k8s.io/v1
                  kind: ServiceCIDR
                  metadata: {name: extra}
                  spec: {cidrs: [10.97.0.0/16, 10.98.0.1/16]}
                - apiVersion: networking.k8s.io/v1beta1
                  kind: ServiceCIDR
                  metadata: {name: old-api}
                  spec: {cidrs: [10.99.0.0/16]}
                - apiVersion: networking.k8s.io/v1
                  kind: ServiceCIDR
                  metadata: {name: not-a-list}
                  spec: {cidrs: 10.100.0.0/16}
                """);
        ClusterSnapshot s = new ClusterFileSource(file, "").load();
        assertEquals(List.of("10.96.0.0/16", "10.97.0.0/16", "fd00:10:96::/112"),
                s.serviceCidrs().stream().map(Object::toString).toList());
        assertEquals(List.of("ServiceCIDR extra spec.cidrs[1]: invalid CIDR '10.98.0.1/16': host bits set, the network"
                        + " is 10.98.0.0/16; left out",
                "ServiceCIDR not-a-list spec.cidrs: not a list; its CIDRs are not used"),
                s.warnings().stream().map(Object::toString).toList());
    }

    @Test
    void picksTheNodeByHostnameAndNoneWhenAmbiguous() {
        assertEquals("node-b", Fixtures.load("source/valid-list.yaml", "node-b").node().orElseThrow().name());
        assertTrue(Fixtures.load("source/valid-list.yaml", "").node().isEmpty(), "two nodes, no hostname");
    }

    @Test
    void readsMultiDocumentYamlWithNestedList() {
        ClusterSnapshot s = Fixtures.load("source/multi-doc.yaml", "");
        assertEquals(List.of(), s.warnings());
        assertEquals(1, s.endpointsOf(spn("shop", "api", "http", TCP)).size());
        service(s, "default", "plain", "", UDP);
        assertEquals("node-a", s.node().orElseThrow().name());
    }

    @Test
    void readsJson() throws IOException {
        Path f = tmp.resolve("c.json");
        Files.writeString(f, """
                {"apiVersion":"v1","kind":"List","items":[
                 {"apiVersion":"v1","kind":"Service","metadata":{"name":"a","namespace":"x"},
                  "spec":{"clusterIP":"10.96.0.5","ports":[{"port":80}]}}]}
                """);
        ClusterSnapshot s = new ClusterFileSource(f, "").load();
        assertEquals(80, service(s, "x", "a", "", TCP).port());
    }

    @Test
    void unparseableFileGivesAClearMessage() throws IOException {
        Path f = tmp.resolve("broken.yaml");
        Files.writeString(f, "apiVersion: v1\nkind: Service\nmetadata: {name: [unclosed\n");
        SourceException e = assertThrows(SourceException.class, () -> new ClusterFileSource(f, "").load());
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void missingFileNamesIt() {
        Path f = tmp.resolve("nope.yaml");
        SourceException e = assertThrows(SourceException.class, () -> new ClusterFileSource(f, "").load());
        assertTrue(e.getMessage().contains("nope.yaml"), e.getMessage());
    }

    @Test
    void refusesFilesOverTheLimit() throws IOException {
        Path f = tmp.resolve("huge.yaml");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ClusterFileSource.MAX_FILE_BYTES + 1); // sparse: no disk used
        }
        SourceException e = assertThrows(SourceException.class, () -> new ClusterFileSource(f, "").load());
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }

    @Test
    void yamlAliasBombDoesNotExpand() throws IOException {
        StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char p = (char) (c - 1);
            y.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p).append(", *")
                    .append(p).append(", *").append(p).append(", *").append(p).append(", *").append(p).append(", *")
                    .append(p).append(", *").append(p).append(", *").append(p).append("]\n");
        }
        Path f = tmp.resolve("bomb.yaml");
        Files.writeString(f, y.toString());
        // 9^10 leaves if expanded. Jackson's YAML parser does not expand an alias (it reads as the
        // anchor's name), so the file is one small mapping a..k; it has no apiVersion/kind, so the
        // snapshot is empty with exactly one warning for it. The timeout only bounds a regression that
        // would expand the bomb (minutes and gigabytes), it is no speed requirement.
        ClusterSnapshot s = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> new ClusterFileSource(f, "").load());
        assertTrue(s.services().isEmpty());
        assertTrue(s.endpoints().isEmpty());
        assertEquals(1, s.warnings().size(), s.warnings().toString());
        assertTrue(s.warnings().get(0).message().contains("without apiVersion/kind"), s.warnings().toString());
    }
}
