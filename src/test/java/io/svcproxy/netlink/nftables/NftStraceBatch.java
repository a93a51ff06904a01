package io.svcproxy.netlink.nftables;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes of the last sendmsg() in `strace -e trace=sendmsg -e write=all` output: strace prints
 * each sent buffer as a hex dump (" | 00000  14 00 00 00 ...  text |"), which is exactly what nft
 * handed to the kernel, so nft's batch can be recorded without any netlink code of ours.
 */
final class NftStraceBatch {
    private static final Pattern DUMP_LINE = Pattern.compile("^ \\| [0-9a-f]{5}  (.{48})");

    private NftStraceBatch() {
    }

    static byte[] lastSentBuffer(String straceOutput) {
        ByteArrayOutputStream current = null;
        byte[] last = null;
        for (String line : straceOutput.split("\n")) {
            if (line.startsWith(" * ")) {   // " * 1336 bytes in buffer 0": a new buffer's dump starts
                if (current != null) {
                    last = current.toByteArray();
                }
                current = new ByteArrayOutputStream();
                continue;
            }
            Matcher m = DUMP_LINE.matcher(line);
            if (m.find() && current != null) {
                current.writeBytes(HexFormat.of().parseHex(m.group(1).replace(" ", "")));
            }
        }
        if (current != null) {
            last = current.toByteArray();
        }
        if (last == null) {
            throw new IllegalArgumentException("no sendmsg buffer dump in the strace output");
        }
        return last;
    }
}
