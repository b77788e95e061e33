/**
 * IKEv2 messages (RFC 7296 section 3): the header, the payloads as immutable records, one decoder and one encoder.
 * The Encrypted payload (SK, section 3.14) and its fragments (SKF, RFC 7383) are carried opaque here; protecting
 * and opening them is {@code ikev2.keymat}'s work, which hands the plaintext back to {@link Ikev2Codec} to decode.
 */
package net.l2sec.dataplane.ikev2.message;
