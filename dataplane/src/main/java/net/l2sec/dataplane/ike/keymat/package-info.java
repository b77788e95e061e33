/**
 * IKEv1 key material (RFC 2409 sections 5, 5.5 and Appendix B) and Diffie-Hellman groups 2, 5, 14 (MODP) and 19,
 * 20 (ECP, RFC 5903), all through the JCE. {@code Keymat} owns every key of an ISAKMP SA and wipes it.
 */
package net.l2sec.dataplane.ike.keymat;
