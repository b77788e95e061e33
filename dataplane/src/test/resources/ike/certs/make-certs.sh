#!/bin/sh
# Regenerates the TEST-ONLY certificates and keys in this folder with strongSwan's pki tool
# (Debian: apt-get install strongswan-pki). Run from this folder. RSA 2048, PEM.
set -eu
pem() { pki "$@" --outform pem 2>/dev/null; }
exec 2>/dev/null  # pki reports every plugin it cannot load; errors still stop the script (set -e)

# the test CA and the server/client certificates it issues
pem --gen --type rsa --size 2048 > ca.key.pem
pem --self --ca --in ca.key.pem --dn "C=CH, O=l2sec test, CN=l2sec test CA" --lifetime 3650 > ca.crt.pem
pem --gen --type rsa --size 2048 > server.key.pem
pki --pub --in server.key.pem | pki --issue --cacert ca.crt.pem --cakey ca.key.pem \
    --dn "C=CH, O=l2sec test, CN=vpn.l2sec.test" --san vpn.l2sec.test --flag serverAuth \
    --flag ikeIntermediate --lifetime 3650 --outform pem > server.crt.pem
pem --gen --type rsa --size 2048 > client.key.pem
pki --pub --in client.key.pem | pki --issue --cacert ca.crt.pem --cakey ca.key.pem \
    --dn "C=CH, O=l2sec test, CN=client.l2sec.test" --san client.l2sec.test --san 10.0.2.15 \
    --flag clientAuth --lifetime 3650 --outform pem > client.crt.pem

# a client certificate of the same CA that expired long ago (tests use a fixed clock)
pem --gen --type rsa --size 2048 > expired.key.pem
pki --pub --in expired.key.pem | pki --issue --cacert ca.crt.pem --cakey ca.key.pem \
    --dn "C=CH, O=l2sec test, CN=expired.l2sec.test" --san expired.l2sec.test \
    --not-before "Jan 01 00:00:00 2020" --not-after "Jan 02 00:00:00 2020" --dateform "%b %d %H:%M:%S %Y" \
    --outform pem > expired.crt.pem

# a client certificate from a CA nobody trusts
pem --gen --type rsa --size 2048 > rogue-ca.key.pem
pem --self --ca --in rogue-ca.key.pem --dn "C=CH, O=rogue, CN=rogue CA" --lifetime 3650 > rogue-ca.crt.pem
pem --gen --type rsa --size 2048 > rogue.key.pem
pki --pub --in rogue.key.pem | pki --issue --cacert rogue-ca.crt.pem --cakey rogue-ca.key.pem \
    --dn "C=CH, O=rogue, CN=client.l2sec.test" --san client.l2sec.test --lifetime 3650 --outform pem > rogue.crt.pem
rm rogue-ca.key.pem

# an intermediate CA below the test CA and a client it issues (the client sends both certificates)
pem --gen --type rsa --size 2048 > intermediate.key.pem
pki --pub --in intermediate.key.pem | pki --issue --cacert ca.crt.pem --cakey ca.key.pem --ca \
    --dn "C=CH, O=l2sec test, CN=l2sec test intermediate CA" --lifetime 3650 --outform pem > intermediate.crt.pem
pem --gen --type rsa --size 2048 > branch.key.pem
pki --pub --in branch.key.pem | pki --issue --cacert intermediate.crt.pem --cakey intermediate.key.pem \
    --dn "C=CH, O=l2sec test, CN=branch.l2sec.test" --san branch.l2sec.test --flag clientAuth --lifetime 3650 \
    --outform pem > branch.crt.pem
rm intermediate.key.pem

# the server key also as PKCS#8 (the loader reads both PKCS#1 and PKCS#8)
openssl pkcs8 -topk8 -nocrypt -in server.key.pem -out server.pkcs8.key.pem

# an ECDSA P-256 server certificate of the same CA (IKEv2 signs with either kind), its key as SEC1 ("EC PRIVATE
# KEY", OpenSSL's own form) and as PKCS#8 ("PRIVATE KEY"); done with OpenSSL, which writes SEC1
openssl ecparam -name prime256v1 -genkey -noout -out server-ec.sec1.key.pem
openssl pkcs8 -topk8 -nocrypt -in server-ec.sec1.key.pem -out server-ec.key.pem
printf 'subjectAltName=DNS:vpn-ec.l2sec.test\nextendedKeyUsage=serverAuth,1.3.6.1.5.5.8.2.2\n' > server-ec.ext
openssl req -new -key server-ec.sec1.key.pem -subj "/C=CH/O=l2sec test/CN=vpn-ec.l2sec.test" |
    openssl x509 -req -CA ca.crt.pem -CAkey ca.key.pem -CAcreateserial -days 3650 -extfile server-ec.ext \
    -out server-ec.crt.pem
rm -f server-ec.ext ca.crt.srl
