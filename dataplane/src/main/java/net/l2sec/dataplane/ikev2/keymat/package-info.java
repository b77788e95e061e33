/**
 * IKEv2 keying (RFC 7296 sections 2.13-2.18): the PRF and prf+, SKEYSEED and the IKE SA's seven keys, child SA
 * KEYMAT, and the protection of the Encrypted payload (section 3.14; AES-GCM per RFC 5282). All keying material
 * lives here; the exchanges only ask for it.
 */
package net.l2sec.dataplane.ikev2.keymat;
