package net.l2sec.dataplane.auth.eap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.auth.eap.EapAuthenticatorTest.FixedRandom;
import net.l2sec.dataplane.auth.eap.EapAuthenticatorTest.Host;
import net.l2sec.fuzz.Fuzzer;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link EapAuthenticator#receive} in each state a peer can address: {@code [state][EAP packet]}, the state
 * octet picking Identity outstanding, an EAP-MSCHAPv2 or EAP-MD5 Challenge outstanding, the MS-CHAPv2 Success Request
 * outstanding, or a relayed Request outstanding. Every input must end in exactly one visible event, a discard with
 * its reason, a question to the backend, a Request sent, success or failure; an exception, or an input that leaves
 * no trace, is a finding.
 */
class EapAuthenticatorFuzzTest {
    private static final byte[] USER = "User".getBytes(StandardCharsets.US_ASCII);

    /** An authenticator brought into state {@code selector}, with a fresh host. */
    private static EapAuthenticator in(int selector, Host host) {
        boolean relay = selector == 4;
        List<AuthMethod> methods = selector == 2 ? List.of(AuthMethod.EAP_MD5, AuthMethod.EAP_MSCHAPV2) : List.of(AuthMethod.EAP_MSCHAPV2, AuthMethod.EAP_MD5);
        EapAuthenticator eap = new EapAuthenticator(host, methods, relay, new FixedRandom());
        eap.start("fuzz");
        if (selector == 0) return eap;
        eap.receive(EapAuthenticatorTest.response(0x2a, 1, USER));
        if (relay) {
            host.decide(c -> new AuthResult.Challenge(EapCodec.encode(new EapPacket.Request(0x2b, 26,
                    EapMsChapV2.challenge(0x2b, new byte[16], "radius".getBytes()))), new byte[] {9}));
            return eap;
        }
        if (selector == 3) {
            eap.receive(EapAuthenticatorTest.msChapV2Response(0x2b, 0x2b, new byte[24], USER));
            host.decide(c -> new AuthResult.Accept("User", Optional.of(new byte[20]), Authorization.defaults("r"), Optional.of(new byte[64])));
        }
        return eap;
    }

    private static String run(byte[] in) {
        if (in.length < 1) return "empty";
        int selector = (in[0] & 0xff) % 5;
        Host host = new Host();
        EapAuthenticator eap = in(selector, host);
        int sent = host.sent.size(), asked = host.verifications.size();
        byte[] packet = java.util.Arrays.copyOfRange(in, 1, in.length);
        eap.receive(packet);
        List<String> events = new ArrayList<>();
        host.discards.forEach(d -> events.add("discarded:" + d.label()));
        if (host.verifications.size() > asked) events.add("verify");
        if (host.outcome != null) events.add(host.outcome.success() ? "succeeded" : "failed:" + host.outcome.reason().label());
        else if (host.sent.size() > sent) events.add("sent");
        if (events.size() != 1) throw new AssertionError("state " + selector + ": events " + events + " for one packet");
        return selector + ":" + events.getFirst();
    }

    @Test
    void everyResponseInEveryStateEndsInOneVisibleEvent() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(with(0, EapAuthenticatorTest.response(0x2a, 1, USER)));
        seeds.add(with(1, EapAuthenticatorTest.msChapV2Response(0x2b, 0x2b, new byte[24], USER)));
        seeds.add(with(1, EapAuthenticatorTest.response(0x2b, 3, new byte[] {4})));
        byte[] md5 = new byte[17 + 4];
        md5[0] = 16;
        System.arraycopy(USER, 0, md5, 17, 4);
        seeds.add(with(2, EapAuthenticatorTest.response(0x2b, 4, md5)));
        seeds.add(with(3, EapAuthenticatorTest.response(0x2c, 26, new byte[] {3})));
        seeds.add(with(4, EapAuthenticatorTest.msChapV2Response(0x2b, 0x2b, new byte[24], USER)));
        Fuzzer.named("eap-authenticator").seeds(seeds).inputs(4000).maxLength(300).target(EapAuthenticatorFuzzTest::run).run()
                .assertNoFindings().assertReached("0:sent").assertReached("1:verify").assertReached("4:verify").assertReached("3:succeeded").assertReached("1:discarded:bad_mschapv2")
                .assertReached("0:discarded:wrong_identifier").assertReached("0:discarded:truncated").assertOutcomesAtLeast(12);
    }

    private static byte[] with(int selector, byte[] packet) {
        byte[] out = new byte[1 + packet.length];
        out[0] = (byte) selector;
        System.arraycopy(packet, 0, out, 1, packet.length);
        return out;
    }
}
