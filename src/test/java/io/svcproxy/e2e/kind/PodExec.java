package io.svcproxy.e2e.kind;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One command in a pod's (first) container through the API server's exec, bounded in time: what
 * {@code kubectl exec} does. An exec that cannot start or does not end in time gives exit code -1
 * and says why on stderr, so a request made this way fails like a request, not like the test.
 */
final class PodExec {
    /** Exit code of an exec that did not start or did not finish within its bound. */
    static final int NO_EXIT = -1;

    private PodExec() {
    }

    static PodRequests.Output run(KubernetesClient client, String namespace, String pod, List<String> command,
                                  Duration bound) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        String problem = "";
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod).writingOutput(out).writingError(err)
                .exec(command.toArray(String[]::new))) {
            Integer exit = watch.exitCode().get(bound.toMillis(), TimeUnit.MILLISECONDS);
            code = exit == null ? NO_EXIT : exit;
        } catch (TimeoutException e) {
            code = NO_EXIT;
            problem = "\nexec in " + pod + " did not finish within " + bound;
        } catch (ExecutionException | KubernetesClientException e) {
            code = NO_EXIT;
            problem = "\nexec in " + pod + " failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during exec in " + pod, e);
        }
        return new PodRequests.Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + problem);
    }
}
