package io.svcproxy.explain.nftables;

import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftExpr;

import java.util.Arrays;

/**
 * nf_tables' data registers as one 64-byte file: 16-byte register N (1..4) starts at byte 16(N-1),
 * 32-bit register 8+k at byte 4k, so the two numberings alias as in the kernel. Copied on write:
 * a fork of the walk keeps its own registers.
 */
final class Registers {
    private final byte[] file;

    Registers() {
        this(new byte[64]);
    }

    private Registers(byte[] file) {
        this.file = file;
    }

    static int offset(int reg) {
        if (reg >= NftExpr.REG32_00) {
            return (reg - NftExpr.REG32_00) * 4;
        }
        if (reg >= NftExpr.REG_1 && reg <= 4) {
            return (reg - NftExpr.REG_1) * 16;
        }
        throw new IllegalArgumentException("register " + reg + " holds no data");
    }

    Registers store(int reg, Bytes value) {
        byte[] next = file.clone();
        int at = offset(reg);
        byte[] v = value.toArray();
        // a load clears the rest of its last 32-bit word, as the kernel's does
        Arrays.fill(next, at, Math.min(64, at + Bytes.pad4(v.length)), (byte) 0);
        System.arraycopy(v, 0, next, at, v.length);
        return new Registers(next);
    }

    Bytes load(int reg, int len) {
        return Bytes.of(file, offset(reg), len);
    }
}
