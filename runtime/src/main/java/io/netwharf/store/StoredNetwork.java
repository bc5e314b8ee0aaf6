package io.netwharf.store;

import java.time.Instant;

/**
 * A network: what the kernel side is (driver, link, subnet, gateway: the chosen ones, so a restart makes the same
 * network) and the request it was made from, as JSON.
 *
 * @param link     the bridge, or the parent link of macvlan/ipvlan; null for host and null networks
 * @param specJson the {@code NetworkSpec} it was created from (JSON, written and read by the runtime)
 */
public record StoredNetwork(String id, String name, String driver, String link, String subnet, String gateway, Phase phase,
                            Instant created, String specJson) {}
