package io.netwharf.ipam;

import java.util.Objects;

/**
 * Address space a new network must stay clear of, with what holds it in words fit for an error message:
 * {@code route 172.17.0.0/16 dev eth0}, {@code address 172.18.0.1/16 on eth1}, {@code network "foo" (172.20.0.0/16)}.
 */
public record Taken(Ipv4Subnet subnet, String what) {

    public Taken {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(what, "what");
    }

    /** A route of the host. Leave out the default route: it overlaps everything ({@link SubnetChooser} skips it anyway). */
    public static Taken route(Ipv4Subnet destination, String device) {
        return new Taken(destination, "route " + destination + " dev " + device);
    }

    /** An address on a host interface takes its whole subnet; a /32 address only itself. */
    public static Taken address(int address, int prefixLength, String device) {
        return new Taken(Ipv4Subnet.containing(address, prefixLength),
                "address " + Ipv4.format(address) + "/" + prefixLength + " on " + device);
    }

    /** The subnet of another network of this runtime. */
    public static Taken network(Ipv4Subnet subnet, String name) {
        return new Taken(subnet, "network \"" + name + "\" (" + subnet + ")");
    }
}
