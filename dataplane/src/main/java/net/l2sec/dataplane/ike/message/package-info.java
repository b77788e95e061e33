/**
 * ISAKMP messages (RFC 2408 section 3, IPsec DOI layouts of RFC 2407 section 4.6, NAT-T payloads of RFC 3947
 * and the drafts): {@code IsakmpHeader}, the sealed {@code Payload} family, and {@code IsakmpCodec}, which walks
 * the generic payload chain and hands each body to the layout described once in {@code PayloadFormat}. Bytes in,
 * records out; malformed input is an {@code IkeDecodeException} with a bounded {@code IkeDropReason}.
 *
 * <p>Wire codes are enums with {@code code()} and {@code of(int)}: {@code ExchangeType}, {@code Doi},
 * {@code ProtocolId}, {@code NotifyType}, {@code IdType}, {@code CertEncoding}, and the transform attributes and
 * their values ({@code Phase1Attribute}, {@code AuthenticationMethod}, {@code LifeType}, {@code IpsecAttribute},
 * {@code EncapsulationMode}, {@code IsakmpTransformId}). Payloads keep the codes as numbers, as received: a code no
 * enum lists ({@code of} returns null) decodes and encodes octet for octet like any other, and the reader decides
 * what it means to it. Payload types stay numbers ({@code PayloadType}): a type we do not know is kept as
 * {@code Payload.Unknown}.
 */
package net.l2sec.dataplane.ike.message;
