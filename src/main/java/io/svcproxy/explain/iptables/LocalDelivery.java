package io.svcproxy.explain.iptables;

import io.svcproxy.explain.Flow;
import io.svcproxy.explain.Path;

import java.util.List;

/**
 * What happens to a packet delivered to the node (past filter INPUT). In iptables mode it ends there;
 * in IPVS mode the virtual server at LOCAL_IN may forward it, and it leaves through OUTPUT and
 * POSTROUTING.
 */
public interface LocalDelivery {
    LocalDelivery ENDS_HERE = (flow, done) -> {
        done.add(flow.end(null));
        return List.of();
    };

    /** The flows that leave the node again; the others are ended into {@code done}. */
    List<Flow> deliver(Flow flow, List<Path> done);
}
