/**
 * {@code svcproxy explain}: the fate of the first packet of a new connection, walked through a
 * mode's rules held as values (the planned ones, or the kernel's as we read them). Pure: it takes
 * rules and node facts and returns an {@link io.svcproxy.explain.Explanation}; reading the kernel
 * and printing are the caller's.
 *
 * <p>{@link io.svcproxy.explain.iptables} walks an {@code iptables.Ruleset}, {@link
 * io.svcproxy.explain.nftables} runs an {@code nftables.NftTable}'s expressions as the kernel would, {@link
 * io.svcproxy.explain.ipvs} walks IPVS mode's iptables glue with its ipsets into an {@code ipvs.IpvsState}'s
 * virtual servers (planned, or read from the kernel by the cli).
 * Both fork the walk at random choices (statistic, numgen) so each {@link io.svcproxy.explain.Path}
 * carries its exact probability.
 */
package io.svcproxy.explain;
