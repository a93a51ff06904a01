package io.svcproxy.e2e;

/** A Service port's protocol, spelled as in the Kubernetes API by {@link #name()}. */
public enum Protocol { TCP, UDP, SCTP }
