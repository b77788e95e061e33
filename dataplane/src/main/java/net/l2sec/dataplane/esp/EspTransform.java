package net.l2sec.dataplane.esp;

import io.netty.buffer.ByteBuf;

/**
 * The cryptographic part of one SA, working on an ESP packet laid out as RFC 4303 section 2 draws it:
 * {@code SPI | Sequence Number | IV | ciphertext(Payload | Padding | Pad Length | Next Header) | ICV}.
 * Instances hold one JCE {@code Cipher} (and {@code Mac}) each, reused per packet; confined to one thread. On heap
 * buffers they call the JCE's array methods, which need no {@code ByteBuffer} views and no temporaries (for direct
 * memory the JCE's AES-GCM stages the data through arrays of its own, which is why inbound packets are copied
 * into a heap array first: {@link SecurityAssociation#open}).
 */
sealed interface EspTransform permits CbcTransform, GcmTransform {
    int ivLength();

    /** The Padding aligns the plaintext to this (RFC 4303 section 2.4: the cipher block, at least 4). */
    int alignment();

    int icvLength();

    /**
     * Fills in IV, ciphertext and ICV. {@code packet} holds SPI and Sequence Number at {@code start}, the plaintext
     * (payload, padding, trailer) {@code plaintextLength} octets long after room for the IV, and has room for the ICV.
     */
    void seal(ByteBuf packet, int start, int plaintextLength, long seq);

    /**
     * Checks the ICV of the packet of {@code length} octets at {@code start} and decrypts its ciphertext into
     * {@code out}; the caller has checked the lengths ({@link #ciphertextLength}). Returns null or why it failed.
     */
    EspDropReason open(ByteBuf packet, int start, int length, ByteBuf out);

    /** Ciphertext length of a packet of {@code length} octets, or -1 when the lengths cannot be right. */
    default int ciphertextLength(int length) {
        int n = length - 8 - ivLength() - icvLength();
        return n >= 2 && n % alignment() == 0 ? n : -1;
    }

    /** e.g. {@code aes256-cbc/hmac-sha1-96}, for logs. */
    String name();

    /** Overwrites the raw key material this transform holds. */
    void wipe();
}
