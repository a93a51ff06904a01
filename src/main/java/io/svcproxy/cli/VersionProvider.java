package io.svcproxy.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version Maven wrote into the jar manifest ("dev" when run from classes). */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"svcproxy " + (v == null ? "dev" : v),
            "Java " + System.getProperty("java.version")};
    }
}
