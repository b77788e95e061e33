package net.l2sec.dataplane.dhcp;

import static net.l2sec.dataplane.dhcp.ClasslessRoutesTest.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InformResponderTest {
    final int server = ip("10.99.0.1");
    final List<ClasslessRoutes.Route> routes = List.of(new ClasslessRoutes.Route(ip("10.1.0.0"), 16, server),
            new ClasslessRoutes.Route(ip("192.168.50.0"), 24, server));
    final InformResponder responder = new InformResponder(new InformResponder.Answers(server, 0xffffff00,
            List.of(address("10.1.0.53")), Optional.of("corp.example.com"), routes));

    static Inet4Address address(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void windowsInformIsAnsweredWithAnAckWithoutLeaseOrYiaddr() {
        DhcpMessage inform = DhcpCodecTest.windowsInform(ip("10.99.0.10"));
        var reply = (InformResponder.Outcome.Reply) responder.answer(inform);
        DhcpMessage ack = reply.ack();
        assertThat(ack.op()).isEqualTo(DhcpMessage.BOOTREPLY);
        assertThat(ack.xid()).isEqualTo(inform.xid());
        assertThat(ack.ciaddr()).isEqualTo(inform.ciaddr());
        assertThat(ack.yiaddr()).as("RFC 2131 4.3.5: no yiaddr").isZero();
        assertThat(ack.chaddr()).isEqualTo(inform.chaddr());
        assertThat(ack.messageType()).contains(DhcpMessageType.DHCPACK);
        assertThat(ack.option(DhcpOptionCode.SERVER_IDENTIFIER).orElseThrow().data()).containsExactly(10, 99, 0, 1);
        assertThat(ack.options().stream().map(DhcpOption::code)).doesNotContain(51, 58, 59, 3)   // no lease, no Router
                .containsExactly(53, 54, 1, 6, 15, 121, 249);
        assertThat(ack.option(DhcpOptionCode.SUBNET_MASK).orElseThrow().data()).containsExactly(255, 255, 255, 0);
        assertThat(new String(ack.option(DhcpOptionCode.DOMAIN_NAME).orElseThrow().data())).isEqualTo("corp.example.com");
        assertThat(ack.option(DhcpOptionCode.DOMAIN_NAME_SERVER).orElseThrow().data()).containsExactly(10, 1, 0, 53);
        String routeData = "100a01" + "0a630001" + "18c0a832" + "0a630001";
        assertThat(HexFormat.of().formatHex(ack.option(DhcpOptionCode.CLASSLESS_STATIC_ROUTE).orElseThrow().data())).isEqualTo(routeData);
        assertThat(HexFormat.of().formatHex(ack.option(DhcpOptionCode.MS_CLASSLESS_STATIC_ROUTE).orElseThrow().data())).isEqualTo(routeData);
    }

    @Test
    void onlyWhatTheClientAskedForIsSentWhenItSaysWhat() {
        DhcpMessage inform = withOptions(new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {8}),
                new DhcpOption(DhcpOptionCode.PARAMETER_REQUEST_LIST, new byte[] {121, 15}));
        DhcpMessage ack = ((InformResponder.Outcome.Reply) responder.answer(inform)).ack();
        assertThat(ack.options().stream().map(DhcpOption::code)).containsExactly(53, 54, 15, 121);
    }

    @Test
    void withoutAParameterRequestListEverythingConfiguredIsSent() {
        DhcpMessage inform = withOptions(new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {8}));
        DhcpMessage ack = ((InformResponder.Outcome.Reply) responder.answer(inform)).ack();
        assertThat(ack.options().stream().map(DhcpOption::code)).containsExactly(53, 54, 1, 6, 15, 121, 249);
    }

    @Test
    void nothingConfiguredMeansOnlyTheMask() {
        var bare = new InformResponder(new InformResponder.Answers(server, 0xffffffff, List.of(), Optional.empty(), List.of()));
        DhcpMessage ack = ((InformResponder.Outcome.Reply) bare.answer(DhcpCodecTest.windowsInform(ip("10.99.0.10")))).ack();
        assertThat(ack.options().stream().map(DhcpOption::code)).containsExactly(53, 54, 1);
    }

    @Test
    void otherMessagesAreNotAnswered() {
        for (int type : new int[] {1, 3, 4, 7}) {
            var outcome = responder.answer(withOptions(new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {(byte) type})));
            assertThat(outcome).isEqualTo(new InformResponder.Outcome.Drop(DhcpDropReason.NOT_INFORM,
                    DhcpMessageType.of(type).orElseThrow().name()));
        }
        assertThat(responder.answer(withOptions())).extracting(o -> ((InformResponder.Outcome.Drop) o).reason())
                .isEqualTo(DhcpDropReason.NOT_INFORM);
        DhcpMessage reply = new DhcpMessage(2, 1, 6, 0, 1, 0, 0, 0, 0, 0, 0, new byte[16],
                List.of(new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {8})));
        assertThat(responder.answer(reply)).extracting(o -> ((InformResponder.Outcome.Drop) o).reason())
                .isEqualTo(DhcpDropReason.MALFORMED);
    }

    @Test
    void anAnswerLargerThanTheClientTakesIsNotSent() {
        List<ClasslessRoutes.Route> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) many.add(new ClasslessRoutes.Route(ip("10.0.0.0") + (i << 8), 24, server));
        var big = new InformResponder(new InformResponder.Answers(server, 0xffffff00, List.of(), Optional.empty(), many));
        // 30 routes of 8 octets: 240 octets in each of 121 and 249, more than 576 - 28 with the fixed fields
        var outcome = big.answer(DhcpCodecTest.windowsInform(ip("10.99.0.10")));
        assertThat(outcome).extracting(o -> ((InformResponder.Outcome.Drop) o).reason()).isEqualTo(DhcpDropReason.REPLY_TOO_LARGE);
        // the client allows 1500 octets (Maximum DHCP Message Size): it fits
        DhcpMessage generous = withOptions(new DhcpOption(DhcpOptionCode.DHCP_MESSAGE_TYPE, new byte[] {8}),
                new DhcpOption(DhcpOptionCode.MAXIMUM_DHCP_MESSAGE_SIZE, new byte[] {0x05, (byte) 0xdc}));
        assertThat(big.answer(generous)).isInstanceOf(InformResponder.Outcome.Reply.class);
        many.add(new ClasslessRoutes.Route(ip("172.16.0.0"), 32, server));
        for (int i = 0; i < 3; i++) many.add(new ClasslessRoutes.Route(ip("172.17.0.0") + (i << 8), 24, server));
        var tooMany = new InformResponder(new InformResponder.Answers(server, 0xffffff00, List.of(), Optional.empty(), many));
        assertThat(tooMany.answer(generous)).extracting(o -> ((InformResponder.Outcome.Drop) o).detail()).asString()
                .contains("option 121 would be 273 octets");
    }

    static DhcpMessage withOptions(DhcpOption... options) {
        return new DhcpMessage(1, 1, 6, 0, 42, 0, 0, ip("10.99.0.10"), 0, 0, 0, new byte[16], List.of(options));
    }
}
