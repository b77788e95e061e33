#!/usr/bin/env python3
"""Independent known-answer vectors for the IKEv1 key schedule (RFC 2409 sections 5, 5.5, Appendix B).

Standard library only (hmac, hashlib, pow for MODP). Writes keymat-vectors.txt next to this script:
lines "<set>.<name>=<hex>". Re-run with: python3 keymat_vectors.py
"""
import hashlib
import hmac
import os

# RFC 2409 section 6.2, Second Oakley Group (MODP 1024), generator 2
P1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
    "FFFFFFFFFFFFFFFF", 16)


def be(n, length):
    return n.to_bytes(length, "big")


def prf(h, key, *parts):
    return hmac.new(key, b"".join(parts), h).digest()


def expand(h, key, first_input, length, tail=b""):
    """K1 = prf(key, first_input), Kn = prf(key, K(n-1) | tail); concatenated and truncated."""
    out = b""
    k = prf(h, key, first_input)
    out += k
    while len(out) < length:
        k = prf(h, key, k, tail)
        out += k
    return out[:length]


def vector_set(name, h, enc_key_len, block, out):
    def put(k, v):
        out.append(f"{name}.{k}={v.hex()}")

    psk = b"l2sec test psk"
    cky_i = bytes.fromhex("0102030405060708")
    cky_r = bytes.fromhex("a1a2a3a4a5a6a7a8")
    ni = bytes(range(0x10, 0x10 + 20))
    nr = bytes(range(0x40, 0x40 + 32))
    xi = int("1234567890abcdef" * 8, 16)
    xr = int("fedcba0987654321" * 8, 16)
    gxi = be(pow(2, xi, P1024), 128)
    gxr = be(pow(2, xr, P1024), 128)
    gxy = be(pow(int.from_bytes(gxr, "big"), xi, P1024), 128)
    assert gxy == be(pow(int.from_bytes(gxi, "big"), xr, P1024), 128)
    for k, v in [("psk", psk), ("cky_i", cky_i), ("cky_r", cky_r), ("ni", ni), ("nr", nr),
                 ("xi", be(xi, 64)), ("xr", be(xr, 64)), ("gxi", gxi), ("gxr", gxr), ("gxy", gxy)]:
        put(k, v)

    # RFC 2409 section 5: pre-shared keys
    skeyid = prf(h, psk, ni, nr)
    skeyid_d = prf(h, skeyid, gxy, cky_i, cky_r, b"\x00")
    skeyid_a = prf(h, skeyid, skeyid_d, gxy, cky_i, cky_r, b"\x01")
    skeyid_e = prf(h, skeyid, skeyid_a, gxy, cky_i, cky_r, b"\x02")
    put("skeyid", skeyid)
    put("skeyid_d", skeyid_d)
    put("skeyid_a", skeyid_a)
    put("skeyid_e", skeyid_e)
    # Appendix B: K1 = prf(SKEYID_e, 0), K2 = prf(SKEYID_e, K1), ... when SKEYID_e is too short
    if len(skeyid_e) >= enc_key_len:
        enc = skeyid_e[:enc_key_len]
    else:
        enc = expand(h, skeyid_e, b"\x00", enc_key_len)
    put("enc_key", enc)
    # phase-1 IV: hash(g^xi | g^xr) truncated to the block size (Appendix B)
    put("iv", h(gxi + gxr).digest()[:block])

    sai_b = bytes.fromhex("00000001000000010000002c01010001000000240101000080010007800e010080020002800400028003000180010001")
    idir_b = bytes.fromhex("011101f4c0000201")
    idii_b = bytes.fromhex("011101f40a00020f")
    put("sai_b", sai_b)
    put("idii_b", idii_b)
    put("idir_b", idir_b)
    put("hash_i", prf(h, skeyid, gxi, gxr, cky_i, cky_r, sai_b, idii_b))
    put("hash_r", prf(h, skeyid, gxr, gxi, cky_r, cky_i, sai_b, idir_b))

    # RFC 2409 section 5.1: signatures, SKEYID = prf(Ni_b | Nr_b, g^xy); the rest as for pre-shared keys
    sig_skeyid = prf(h, ni + nr, gxy)
    sig_skeyid_d = prf(h, sig_skeyid, gxy, cky_i, cky_r, b"\x00")
    sig_skeyid_a = prf(h, sig_skeyid, sig_skeyid_d, gxy, cky_i, cky_r, b"\x01")
    sig_skeyid_e = prf(h, sig_skeyid, sig_skeyid_a, gxy, cky_i, cky_r, b"\x02")
    put("sig_skeyid", sig_skeyid)
    put("sig_skeyid_d", sig_skeyid_d)
    put("sig_skeyid_a", sig_skeyid_a)
    put("sig_skeyid_e", sig_skeyid_e)
    put("sig_hash_i", prf(h, sig_skeyid, gxi, gxr, cky_i, cky_r, sai_b, idii_b))

    # phase 2 (RFC 2409 section 5.5)
    last_block = bytes(range(0xc0, 0xc0 + block))
    mid = bytes.fromhex("7a3b2c1d")
    put("last_p1_block", last_block)
    put("mid", mid)
    put("qm_iv", h(last_block + mid).digest()[:block])
    ni2 = bytes(range(0x20, 0x20 + 16))
    nr2 = bytes(range(0x60, 0x60 + 24))
    rest = bytes.fromhex("0a00000c00000001000000010400001c" + "55" * 12)
    put("ni2", ni2)
    put("nr2", nr2)
    put("qm_rest", rest)
    put("qm_hash1", prf(h, skeyid_a, mid, rest))
    put("qm_hash2", prf(h, skeyid_a, mid, ni2, rest))
    put("qm_hash3", prf(h, skeyid_a, b"\x00", mid, ni2, nr2))
    spi = bytes.fromhex("c0ffee01")
    put("spi", spi)
    # KEYMAT = prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b), K2 = prf(SKEYID_d, K1 | protocol | SPI | Ni_b | Nr_b)
    seed = b"\x03" + spi + ni2 + nr2
    put("keymat", expand(h, skeyid_d, seed, 52, seed))
    gqm = bytes(range(0x80, 0x80 + 64)) * 2
    put("gqm_xy", gqm)
    put("keymat_pfs", expand(h, skeyid_d, gqm + seed, 36, gqm + seed))


def main():
    out = []
    vector_set("sha1_aes256", hashlib.sha1, 32, 16, out)
    vector_set("sha256_aes128", hashlib.sha256, 16, 16, out)
    vector_set("sha1_3des", hashlib.sha1, 24, 8, out)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keymat-vectors.txt")
    with open(path, "w") as f:
        f.write("# generated by keymat_vectors.py (stdlib hmac/hashlib); do not edit\n")
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
