package io.svcproxy.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonStringsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void plainTextIsOnlyQuoted() {
        assertEquals("\"\"", JsonStrings.quote(""));
        assertEquals("\"kube-system/dns:53\"", JsonStrings.quote("kube-system/dns:53"));
    }

    @Test
    void quoteAndBackslashAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\"", JsonStrings.quote("a\"b\\c"));
        assertEquals("\"\\\\\\\"\"", JsonStrings.quote("\\\""));
    }

    @Test
    void newlineReturnAndTabUseTheirShortEscapes() {
        assertEquals("\"a\\nb\\rc\\td\"", JsonStrings.quote("a\nb\rc\td"));
    }

    @Test
    void everyOtherControlCharacterIsAUnicodeEscape() {
        assertEquals("\"\\u0000\\u0001\\u0008\\u000c\\u001b\\u001f\"", JsonStrings.quote("\0\u0001\b\f\u001b\u001f"));
        for (char c = 0; c < 0x20; c++) {
            String quoted = JsonStrings.quote(String.valueOf(c));
            assertEquals(true, quoted.chars().allMatch(ch -> ch >= 0x20), () -> "raw control character in " + quoted);
        }
    }

    @Test
    void spaceDelAndNonAsciiStayAsTheyAre() {
        assertEquals("\" \u007f\"", JsonStrings.quote(" \u007f"));
        assertEquals("\"dienst-\u00fc \u2028 \u65e5\u672c \ud83d\ude80\"", JsonStrings.quote("dienst-\u00fc \u2028 \u65e5\u672c \ud83d\ude80"));
    }

    @Test
    void unpairedSurrogatesAreEscapedSoTheBodyIsValidUtf8() {
        assertEquals("\"a\\ud83db\"", JsonStrings.quote("a\ud83db"));
        assertEquals("\"\\ude80\"", JsonStrings.quote("\ude80"));
        assertEquals("\"\\ud83d\"", JsonStrings.quote("\ud83d"));
        assertEquals("\"\\ude80\\ud83d\"", JsonStrings.quote("\ude80\ud83d"));
    }

    @Test
    void aJsonParserReadsBackWhatWasQuoted() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            all.append(c);
        }
        all.append("\u00e9\u2028\u2029\ufeff\ud83d\ude80");
        String s = all.toString();
        assertEquals(s, JSON.readValue(JsonStrings.quote(s), String.class));
        // written as UTF-8 (as the daemon's bodies are) and read back, an unpaired surrogate survives too
        String lone = "x\ud800y";
        byte[] utf8 = JsonStrings.quote(lone).getBytes(StandardCharsets.UTF_8);
        assertEquals(lone, JSON.readValue(utf8, String.class));
    }
}
