package io.svcproxy.cli;

import io.svcproxy.dataplane.Dataplane;
import io.svcproxy.model.ClusterSnapshot;

import java.util.function.Predicate;

/**
 * A mode's part of the running daemon.
 *
 * @param backend            what the start-up log names as the backend ("nft", "legacy")
 * @param localhostNodePorts whether NodePorts answer on 127.0.0.0/8 for this snapshot (route_localnet)
 */
record ModeDaemon(Dataplane dataplane, String backend, Predicate<ClusterSnapshot> localhostNodePorts) {
}
