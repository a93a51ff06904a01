package io.svcproxy.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NameHashesTest {
    @Test
    void base32OfSha256CutToTheLengthAsked() {
        // sha256("") = e3b0c442...; RFC 4648 base32 of it starts 4OYMIQUY7QOBJGX3
        assertEquals("4OYMIQUY7QOBJGX3", NameHashes.base32Sha256("", 16));
        assertEquals("4OYMIQUY", NameHashes.base32Sha256("", 8));
        // the input is hashed as UTF-8
        assertEquals("2OKS57CJOK6PNFBC", NameHashes.base32Sha256("d\u00e9mo", 16));
    }
}
