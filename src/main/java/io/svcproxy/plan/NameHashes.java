package io.svcproxy.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import com.google.common.io.BaseEncoding;

/**
 * The hash in kube-proxy's per-service object names, in both its iptables mode (16 characters,
 * {@link ChainNames}) and its nftables mode (8, {@code plan.nftables.NftNames}): the first
 * characters of base32(sha256(input)), input encoded as UTF-8.
 */
public final class NameHashes {
    private NameHashes() {
    }

    /** The first {@code length} characters (at most 56) of base32(sha256(input)). */
    public static String base32Sha256(String input, int length) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
            return BaseEncoding.base32().encode(digest).substring(0, length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
