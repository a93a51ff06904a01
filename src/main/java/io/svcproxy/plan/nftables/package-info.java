/**
 * nftables mode: cluster snapshot -> the desired {@code ip kube-proxy} / {@code ip6 kube-proxy}
 * tables, rule-compatible with kube-proxy v1.36's nftables mode, and their text.
 *
 * <p>Pipeline: {@link io.svcproxy.plan.ServicePortIntent} (what a service port does on this node,
 * shared with iptables mode) -> {@link io.svcproxy.plan.nftables.ServicePortNftPlanner} (that port's
 * chains, affinity sets and elements of the shared maps, a {@link
 * io.svcproxy.plan.nftables.ServicePortObjects}) -> {@link io.svcproxy.plan.nftables.NftablesPlanner}
 * (fixed objects from {@link io.svcproxy.plan.nftables.NftFixedObjects} plus every port's objects,
 * one {@link io.svcproxy.plan.nftables.NftablesFamilyPlan} per family). Rules are built as kernel
 * expressions by {@link io.svcproxy.plan.nftables.NftRules}; {@link io.svcproxy.plan.nftables.NftText}
 * decompiles them into what {@code nft list ruleset} prints ({@code renderLoadable}: {@code nft -f}
 * input for the same kernel state; {@code renderReplacing}: the same, replacing existing tables).
 *
 * <p>Per-service structure: a family plan keeps each service port's objects; {@code replan} plans
 * only changed ports again and reuses the others' objects (same instances), {@code changedServices}
 * and {@code owner}/{@code elementOwners} let a diff group its work by service port.
 *
 * <p>Checked against real kube-proxy v1.36.2 output (text and netlink expressions) by the tests of
 * this package; every name and comment that reaches the text is a DNS label or built from them.
 */
package io.svcproxy.plan.nftables;
