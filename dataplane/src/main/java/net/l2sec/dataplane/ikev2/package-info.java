/**
 * IKEv2 responder (RFC 7296) for remote-access clients: IKE_SA_INIT with COOKIEs, IKE_AUTH with EAP, certificate
 * or PSK authentication and the configuration payload, CREATE_CHILD_SA rekeys, INFORMATIONAL (Delete, liveness,
 * MOBIKE). Message formats are in {@code ikev2.message}, key derivation in {@code ikev2.keymat}. Shares the DH
 * groups, certificate loading and crypto workers of {@code ike}; ESP is reached through {@code ipsec} only.
 */
package net.l2sec.dataplane.ikev2;
