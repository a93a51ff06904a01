package io.svcproxy.diff.ipvs;

import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.model.Addresses;
import io.svcproxy.plan.ipvs.IpvsStateText;

/** The IPVS operations and ipset changes as readable diff lines ("+ service ...", "~ destination ..."). */
public final class IpvsChangesText {
    private IpvsChangesText() {
    }

    public static String render(IpvsChanges changes) {
        StringBuilder sb = new StringBuilder();
        for (IpvsOp op : changes.ops()) {
            sb.append(line(op)).append('\n');
        }
        return sb.toString();
    }

    public static String line(IpvsOp op) {
        if (op instanceof IpvsOp.AddService a) {
            return "+ service " + IpvsStateText.service(a.service());
        } else if (op instanceof IpvsOp.UpdateService u) {
            return "~ service " + IpvsStateText.service(u.service());
        } else if (op instanceof IpvsOp.DeleteService d) {
            return "- service " + d.service();
        } else if (op instanceof IpvsOp.AddDestination a) {
            return "+ destination " + a.service() + " -> " + a.destination().key() + " weight " + a.destination().weight();
        } else if (op instanceof IpvsOp.UpdateDestination u) {
            return "~ destination " + u.service() + " -> " + u.destination().key() + " weight "
                    + u.destination().weight() + (u.destination().weight() == 0 ? " (draining)" : "");
        } else if (op instanceof IpvsOp.DeleteDestination d) {
            return "- destination " + d.service() + " -> " + d.destination().key();
        } else if (op instanceof IpvsOp.BindAddress b) {
            return "+ kube-ipvs0 " + Addresses.format(b.address());
        } else if (op instanceof IpvsOp.UnbindAddress u) {
            return "- kube-ipvs0 " + Addresses.format(u.address());
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    public static String render(IpsetChanges changes) {
        StringBuilder sb = new StringBuilder();
        for (String l : changes.apply()) {
            sb.append(l.startsWith("del ") || l.startsWith("destroy ") ? "- " : "+ ").append(l).append('\n');
        }
        for (String l : changes.destroyAfter()) {
            sb.append("- ").append(l).append('\n');
        }
        return sb.toString();
    }
}
