package io.netwharf.launcher;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;

import java.util.regex.Pattern;

/**
 * What a pipework command line asks for, checked before anything is sent: {@code <host-if> [-i <ifname>] <container>
 * <ip>/<prefix>[@<gateway>] [<mac>]}. pipework's {@code dhcp} and its VLAN suffix ({@code <mac>@<vlan>}, or
 * {@code @<vlan>} alone) are refused in words: netwharf hands out static addresses only and makes no VLAN links.
 *
 * @param gateway null when none was given (the network's own, for a network pipework makes: its first address)
 * @param mac     null when none was given (the runtime derives it from the address, as for every endpoint)
 */
record PipeworkRequest(String hostInterface, String interfaceName, String container, int address, Ipv4Subnet subnet,
                       Integer gateway, String mac) {
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final Pattern LINK_NAME = Pattern.compile("[^/\\s:]{1,15}");

    static PipeworkRequest parse(String hostInterface, String interfaceName, String container, String addressArgument,
                                 String macArgument) {
        checkLinkName("host interface", hostInterface);
        if (interfaceName != null) {
            checkLinkName("container interface (-i)", interfaceName);
        }
        if (container.isEmpty()) {
            throw new IllegalArgumentException("no container given");
        }
        if (addressArgument.equals("dhcp") || addressArgument.startsWith("dhcp:")) {
            throw new IllegalArgumentException("dhcp is not supported: give a static address as <ip>/<prefix>[@<gateway>]");
        }
        String[] addressAndGateway = addressArgument.split("@", -1);
        if (addressAndGateway.length > 2) {
            throw new IllegalArgumentException("invalid address \"" + addressArgument + "\": expected <ip>/<prefix>[@<gateway>]");
        }
        String[] ipAndPrefix = addressAndGateway[0].split("/", -1);
        if (ipAndPrefix.length != 2) {
            throw new IllegalArgumentException("invalid address \"" + addressArgument
                    + "\": expected <ip>/<prefix>[@<gateway>], e.g. 10.1.0.5/24@10.1.0.1");
        }
        int address;
        Ipv4Subnet subnet;
        Integer gateway = null;
        try {
            address = Ipv4.parse(ipAndPrefix[0]);
            subnet = Ipv4Subnet.containing(address, Integer.parseInt(ipAndPrefix[1]));
            if (addressAndGateway.length == 2) {
                gateway = Ipv4.parse(addressAndGateway[1]);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid address \"" + addressArgument + "\": " + e.getMessage());
        }
        if (gateway != null && !subnet.contains(gateway)) {
            throw new IllegalArgumentException("gateway " + Ipv4.format(gateway) + " is outside " + subnet);
        }
        if (gateway != null && gateway == address) {
            throw new IllegalArgumentException("the container's address " + Ipv4.format(address) + " is also the gateway");
        }
        String mac = null;
        if (macArgument != null) {
            if (macArgument.contains("@")) {
                throw new IllegalArgumentException("VLAN tags (" + macArgument.substring(macArgument.indexOf('@'))
                        + ") are not supported: netwharf makes no VLAN links");
            }
            if (!MAC.matcher(macArgument).matches()) {
                throw new IllegalArgumentException("invalid MAC address \"" + macArgument + "\": expected six hex pairs, e.g. 02:42:0a:01:00:05");
            }
            if ((Integer.parseInt(macArgument.substring(0, 2), 16) & 1) != 0) {
                throw new IllegalArgumentException("invalid MAC address " + macArgument + ": it is a multicast address");
            }
            mac = macArgument.toLowerCase();
        }
        return new PipeworkRequest(hostInterface, interfaceName, container, address, subnet, gateway, mac);
    }

    private static void checkLinkName(String what, String name) {
        if (!LINK_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid " + what + " name \"" + name
                    + "\": 1 to 15 characters, no '/', ':' or white space");
        }
    }
}
