package net.l2sec.dataplane.dhcp;

/** {@link DhcpCodecTest}'s Windows-shaped DHCPINFORM for tests in other packages. */
public final class DhcpCodecTestAccess {
    private DhcpCodecTestAccess() {}

    public static DhcpMessage windowsInform(int ciaddr) {
        return DhcpCodecTest.windowsInform(ciaddr);
    }
}
