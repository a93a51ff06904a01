package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Exactly one source: --cluster, or the API (--kubeconfig / --master / in-cluster). Checked before touching the node. */
class RunCommandSourceFlagsTest {

    @Test
    void aClusterFileAndTheApiAreExclusive() {
        for (String flag : new String[] {"--kubeconfig=/nope", "--master=http://127.0.0.1:1"}) {
            StringWriter err = new StringWriter();
            int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                    "run", "--cluster", "test-fixtures/demo/cluster.yaml", flag);
            assertEquals(ExitCodes.ERROR, code, err.toString());
            assertTrue(err.toString().contains("--cluster cannot be combined with --kubeconfig or --master"),
                    err.toString());
        }
    }

    @Test
    void helpListsTheApiFlags() {
        StringWriter out = new StringWriter();
        Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "run", "--help");
        assertTrue(out.toString().contains("--kubeconfig=PATH"), out.toString());
        assertTrue(out.toString().contains("--master=URL"), out.toString());
    }
}
