package io.svcproxy.config;

import io.svcproxy.model.Warning;

import java.util.List;

/**
 * A configuration file's result: the validated config (defaults filled in) and warnings about
 * fields that were ignored. Flags go on top through {@code config().toBuilder()}.
 */
public record LoadedConfiguration(ProxyConfig config, List<Warning> warnings) {
    public LoadedConfiguration {
        warnings = List.copyOf(warnings);
    }
}
