/**
 * IKEv1 responder (RFC 2409 with the IPsec DOI of RFC 2407, NAT-T of RFC 3947 and its drafts, DPD of RFC 3706)
 * for L2TP/IPsec clients: Main Mode with pre-shared keys or RSA signatures (X.509 certificates, {@code ike.auth}),
 * IKEv1 fragmentation as Windows and strongSwan do it ({@code IsakmpFragmentation}), Quick Mode for
 * transport-mode ESP over UDP/4500, and Informational exchanges. Aggressive Mode with pre-shared keys only, off
 * unless {@code IkeSettings.aggressiveMode()}. XAUTH/Mode Config are not implemented.
 *
 * <p>Structure follows strongSwan's IKEv1:
 * <ul>
 * <li>{@link net.l2sec.dataplane.ike.IkeResponder} is the public API and the datagram edge: it reassembles
 *     fragments ({@code IsakmpFragmentation}), logs unencrypted Informationals, finds the SA of a message by its
 *     cookies in the {@code IkeSaTable} and hands the message to the exchange layer. {@code Admission} decides
 *     whether a message 1 may open an SA (drain, per-source rate, half-open cap).</li>
 * <li>{@code Exchanges}, the exchange layer (strongSwan's task manager), dispatches a message to the task of its
 *     exchange, state and message ID, answers a repeated request from the SA's {@code ResponseCache}, resends our
 *     messages ({@code Retransmission}) and ends exchanges: it is the only caller of {@code Keymat.endExchange}.</li>
 * <li>The tasks, one class each, build and process their payloads: {@code MainMode} and {@code AggressiveMode}
 *     on what they share in {@code Phase1} (proposal, keys, identities, authentication, establishment, failure),
 *     {@code IsakmpVendor} and {@code IsakmpNatd} for vendor IDs and NAT detection, {@code QuickMode} (the peer's)
 *     and {@code QuickModeRekey} (ours), {@code Informational}, {@code Dpd} (RFC 3706) and {@code IsakmpDelete}
 *     (the end of an ISAKMP SA).</li>
 * <li>{@code IkeSa} is the state of one ISAKMP SA, its {@code IkeSa.State} changed by event methods only;
 *     {@code ChildSas} is IKE's view of the child SAs (inbound SPIs, the pairs of each ISAKMP SA, replacement, and
 *     the one removal path), handed to ESP through {@link net.l2sec.dataplane.ipsec.ChildSaTable};
 *     {@code IsakmpSender} puts our messages on the wire; {@code IkeContext} wires the parts.</li>
 * <li>{@code ike.keymat.Keymat} holds every key and the IVs of the exchanges in progress (at most 32 per SA);
 *     {@code ike.auth} holds certificates and checks peers; {@code ike.message} is the codec, its wire codes
 *     enums.</li>
 * </ul>
 *
 * <p>Policy decisions worth knowing:
 * <ul>
 * <li>Our own NAT-D hash and our default identity are of the local address the peer sent to (each local
 *     address has sockets of its own, {@code dataplane.udp}), so no client believes the server is behind NAT
 *     unless it is.</li>
 * <li>The NAT-D payload for the peer never matches (forced encapsulation): every NAT-T peer floats to UDP/4500 and
 *     encapsulates ESP; a Quick Mode that does not come over 4500 or does not propose UDP-Transport mode is
 *     refused.</li>
 * <li>Aggressive Mode is refused and counted ({@code aggressive_mode_refused}) unless enabled: its message 2
 *     gives any initiator HASH_R, a keyed hash of the PSK open to offline guessing. When enabled: PSK transforms
 *     only, one proposal whose transforms share one DH group (else NO-PROPOSAL-CHOSEN, counted
 *     {@code no_proposal_chosen}), an encrypted message 3; the SA floats with message 3 like Main Mode with message
 *     5, and is then the same as a Main Mode SA for Quick Mode, Informational and DPD.</li>
 * <li>Child SAs are removed one by one by inbound SPI ({@code ChildSaTable.remove}); {@code removeAll} is not
 *     used, because IKEv1 IPsec SAs outlive the ISAKMP SA that made them: when a client re-authenticates (new
 *     Main Mode) and then deletes its old ISAKMP SA, the child SAs move to the new ISAKMP SA.</li>
 * <li>A Quick Mode with the same IDs as a child SA of the same client (same identity, address and port, under
 *     this or another of its ISAKMP SAs) is a rekey: the new pair replaces the old one, which gets a Delete at
 *     once, leaves ESP 5 s later (packets in flight) and is never rekeyed by us; a rekey we had started for it is
 *     abandoned. One client never holds two SA chains.</li>
 * <li>When ESP reports a pair at its soft limit ({@code IkeResponder.rekeyChildSa}, wired by the concentrator) we
 *     initiate the Quick Mode ({@code QuickModeRekey}): same IDs mirrored (ours is IDci), the old transform and
 *     PFS group, through whichever ISAKMP SA holds the pair now (found by SPI). Then a Delete for the old pair and
 *     its removal from ESP 5 s later, for packets in flight. No answer after the retransmissions, or no ISAKMP SA
 *     ({@code no_ike_sa}): the old pair expires and the client renegotiates. A pair ESP expired
 *     ({@code childSaExpired}) gets a Delete.</li>
 * <li>INITIAL-CONTACT removes older SAs with the same identity from the same address <em>and port</em>: clients
 *     behind one NAT often present the same private-address identity, and must not delete each other.</li>
 * <li>Certificates: the peer's chain is validated with PKIX against the configured CAs (revocation off unless
 *     configured); its ID payload must be its subject DN or a subjectAltName (DNS, e-mail, IP); our ID is our
 *     certificate's subject DN. We only trust certificates in CERT payloads (no lookup by CR or cache).</li>
 * <li>Fragments are accepted only for a known ISAKMP SA, one message at a time, within count, size and time
 *     limits; a reassembled message is the original message, header included, handled like any other.</li>
 * <li>Lifetimes: the client's proposal, capped at our maximum. Phase 1 returns the client's transform unchanged
 *     (RFC 2408 section 4.2) and simply expires earlier; Quick Mode returns the capped value in its SA.</li>
 * </ul>
 */
package net.l2sec.dataplane.ike;
