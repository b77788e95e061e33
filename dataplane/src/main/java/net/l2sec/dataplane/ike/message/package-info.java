/**
 * ISAKMP messages (RFC 2408 section 3, IPsec DOI layouts of RFC 2407 section 4.6, NAT-T payloads of RFC 3947
 * and the drafts): {@code IsakmpHeader}, the sealed {@code Payload} family, and {@code IsakmpCodec}, which walks
 * the generic payload chain and hands each body to the layout described once in {@code PayloadFormat}. Bytes in,
 * records out; malformed input is an {@code IkeDecodeException} with a bounded {@code IkeDropReason}.
 */
package net.l2sec.dataplane.ike.message;
