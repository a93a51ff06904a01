package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The rebuilt first-sync transaction of kube-proxy's nftables mode ({@link KubeProxyNftPayload}), for
 * each recorded set: on an empty namespace it writes exactly what kube-proxy left (handles, element
 * and listing order aside), and over kube-proxy's own ruleset it leaves that ruleset as it was (the
 * rollback of {@link KubeProxyNftTakeoverIT}).
 */
@KernelTest(tools = "nft")
class KubeProxyNftPayloadTest {
    private static final Path SETS = Path.of("test-fixtures", "reference", "kube-proxy-v1.36.2", "sets");

    @ParameterizedTest
    @ValueSource(strings = {"mix-1", "mix-2", "mix-3"})
    void replayWritesWhatKubeProxyLeft(String set) throws IOException {
        String recorded = Files.readString(SETS.resolve(set).resolve("nft-ruleset.txt"));
        KubeProxyNftPayload payload = KubeProxyNftPayload.of(recorded);
        List<String> want = KubeProxyNftTakeoverIT.blocksSorted(KubeProxyNftTakeoverIT.comparable(recorded));
        assertTrue(payload.text().lines().noneMatch(l -> l.startsWith("flush table") || l.startsWith("delete table")),
                "kube-proxy's sync never flushes or deletes its table");
        try (NetNs empty = NetNs.create(); NetNs kubeProxys = NetNs.create()) {
            empty.runChecked(List.of("nft", "-f", "-"), payload.text());
            assertEquals(want, KubeProxyNftTakeoverIT.blocksSorted(KubeProxyNftTakeoverIT.comparable(
                    empty.runChecked("nft", "list", "ruleset"))), set + ": on an empty namespace");

            kubeProxys.runChecked(List.of("nft", "-f", "-"), recorded);
            kubeProxys.runChecked(List.of("nft", "-f", "-"), payload.text());
            assertEquals(want, KubeProxyNftTakeoverIT.blocksSorted(KubeProxyNftTakeoverIT.comparable(
                    kubeProxys.runChecked("nft", "list", "ruleset"))), set + ": over kube-proxy's own ruleset");
        }
        System.out.println("[nft-payload " + set + "] " + payload.describe());
    }
}
