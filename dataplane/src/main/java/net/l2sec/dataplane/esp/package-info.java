/**
 * ESP (RFC 4303) in transport mode, UDP-encapsulated (RFC 3948), carrying L2TP over UDP between a client and the
 * LNS, and in tunnel mode (RFC 4303 section 3.1.2) carrying an IKEv2 client's IP packets to and from its session. {@link net.l2sec.dataplane.esp.EspEndpoint} is the SA database IKE fills through
 * {@link net.l2sec.dataplane.ipsec.ChildSaTable} and the sink for ESP packets from UDP/4500;
 * {@link net.l2sec.dataplane.esp.SecurityAssociation} is one direction of an SA with its transform
 * ({@code CbcTransform}: AES-CBC or 3DES-CBC with a truncated HMAC; {@code GcmTransform}: AES-GCM-16) and its
 * anti-replay window. All cryptography comes from the JCE. Depends on {@code ipsec}, {@code ip} and {@code l2tp}, never on
 * {@code ike}.
 */
package net.l2sec.dataplane.esp;
