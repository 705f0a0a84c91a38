#!/usr/bin/env bash
# Creates the TLS test material for the peers and the TLS tests, with the openssl CLI only.
#
#   Scripts/peers/make-certs.sh DIR
#
# Writes into DIR (created if needed), every key an unencrypted PKCS#8 PEM EC P-256 key:
#   ca.pem, ca-key.pem                  test CA (CN=AMQP Test CA), 365 days
#   server.pem, server-key.pem          CN=localhost, SAN DNS:localhost, IP:127.0.0.1, 30 days,
#                                       extendedKeyUsage serverAuth, signed by ca.pem
#   expired.pem, expired-key.pem        same names, valid 2020-01-01 .. 2020-02-01 only (EXPIRED)
#   wrong-host.pem, wrong-host-key.pem  CN=wrong.example, SAN DNS:wrong.example, signed by ca.pem
#   client.pem, client-key.pem          CN=amqp-client, extendedKeyUsage clientAuth, by ca.pem
#   other-ca.pem, other-ca-key.pem      a second CA that nobody trusts
#   untrusted.pem, untrusted-key.pem    CN=localhost (same SANs) signed by other-ca.pem
#
# Idempotent: when DIR/ca.pem is a CA certificate valid for at least one more day and every
# other file is there and still verifies (the leaf certificates for at least one more day),
# nothing is rewritten. Otherwise ALL files are made anew (a new CA too). Concurrent runs on
# one DIR are serialised with flock(1). After creating, every certificate is checked with
# `openssl verify` (the expired one must fail as expired, the untrusted one must fail against
# ca.pem, the wrong-host one must fail hostname verification for localhost); any surprise
# exits non-zero. Prints one line per file.
#
# openssl 3.0's `x509 -req` cannot back-date (no -not_before, -days must be > 0), so the
# expired certificate is issued with `openssl ca -startdate/-enddate` and a throw-away minimal
# CA database.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)

leaves=(server wrong-host client expired untrusted)
files=(ca.pem ca-key.pem other-ca.pem other-ca-key.pem)
for name in "${leaves[@]}"; do files+=("$name.pem" "$name-key.pem"); done

# verify_ok CAFILE CERT [openssl verify options...]: quiet success/failure of openssl verify.
verify_ok() {
    local ca=$1 cert=$2
    shift 2
    openssl verify "$@" -CAfile "$ca" "$cert" >/dev/null 2>&1
}

# True when DIR already holds a complete, still usable set.
complete() {
    local f
    for f in "${files[@]}"; do [ -s "$dir/$f" ] || return 1; done
    openssl x509 -in "$dir/ca.pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
    verify_ok "$dir/ca.pem" "$dir/ca.pem" || return 1
    for f in server wrong-host client; do
        verify_ok "$dir/ca.pem" "$dir/$f.pem" || return 1
        openssl x509 -in "$dir/$f.pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
    done
    verify_ok "$dir/other-ca.pem" "$dir/untrusted.pem" || return 1
    openssl x509 -in "$dir/untrusted.pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
}

list_files() {
    local f
    for f in "${files[@]}"; do
        if [[ $f == *-key.pem ]]; then
            echo "$dir/$f: $(head -n 1 "$dir/$f")"
        else
            echo "$dir/$f: $(openssl x509 -in "$dir/$f" -noout -subject -enddate | paste -sd ' ')"
        fi
    done
}

exec 9>"$dir/.make-certs.lock"
flock 9

if complete; then
    echo "make-certs: $dir already has a valid set; nothing to do"
    list_files
    exit 0
fi

tmp=$(mktemp -d "$dir/.make-certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/openssl.cnf" <<EOF
# Extension sections for x509 -req / req -x509, and a minimal 'openssl ca' for back-dating.
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ ext_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ ext_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ext_wrong_host ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ext_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca ]
default_ca = backdating_ca
[ backdating_ca ]
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
commonName = supplied
EOF
cnf=$tmp/openssl.cnf

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
serial() { echo "0x$(openssl rand -hex 15)"; }

# make_ca NAME CN
make_ca() {
    newkey "$tmp/$1-key.pem"
    openssl req -config "$cnf" -x509 -new -key "$tmp/$1-key.pem" -subj "/CN=$2" -sha256 \
        -days 365 -set_serial "$(serial)" -extensions ext_ca -out "$tmp/$1.pem"
}

# make_leaf NAME CN EXTENSION_SECTION CA_NAME: a key, a CSR and a 30-day certificate.
make_leaf() {
    newkey "$tmp/$1-key.pem"
    openssl req -config "$cnf" -new -key "$tmp/$1-key.pem" -subj "/CN=$2" -out "$tmp/$1.csr"
    openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$4.pem" -CAkey "$tmp/$4-key.pem" \
        -set_serial "$(serial)" -days 30 -sha256 -extfile "$cnf" -extensions "$3" \
        -out "$tmp/$1.pem" 2>/dev/null
}

make_ca ca "AMQP Test CA"
make_ca other-ca "AMQP Untrusted Test CA"
make_leaf server localhost ext_server ca
make_leaf wrong-host wrong.example ext_wrong_host ca
make_leaf client amqp-client ext_client ca
make_leaf untrusted localhost ext_server other-ca

# The expired certificate: openssl ca can set both dates explicitly.
newkey "$tmp/expired-key.pem"
openssl req -config "$cnf" -new -key "$tmp/expired-key.pem" -subj "/CN=localhost" -out "$tmp/expired.csr"
: >"$tmp/index.txt"
openssl rand -hex 15 >"$tmp/serial"
openssl ca -batch -notext -config "$cnf" -cert "$tmp/ca.pem" -keyfile "$tmp/ca-key.pem" \
    -in "$tmp/expired.csr" -out "$tmp/expired.pem" -extensions ext_server -extfile "$cnf" \
    -startdate 20200101000000Z -enddate 20200201000000Z >/dev/null 2>&1 || {
    echo "make-certs: openssl ca failed to issue the expired certificate" >&2
    exit 1
}

# Check every certificate before publishing the set; print what openssl said.
failed=0
# check EXPECT(ok|REGEX) LABEL openssl-verify-args...
check() {
    local expect=$1 label=$2 out
    shift 2
    out=$(openssl verify "$@" 2>&1) && out="OK" || out="FAIL: $(echo "$out" | grep -m1 -o 'error [0-9]*.*' || echo "$out" | tail -n1)"
    if { [ "$expect" = ok ] && [[ $out == OK* ]]; } || { [ "$expect" != ok ] && [[ $out == FAIL* ]] && [[ $out =~ $expect ]]; }; then
        echo "verify: $label -> $out (as expected)"
    else
        echo "verify: $label -> $out (UNEXPECTED, wanted $expect)" >&2
        failed=1
    fi
}
check ok "ca.pem self-signed" -CAfile "$tmp/ca.pem" "$tmp/ca.pem"
check ok "server.pem by ca.pem, host localhost" -CAfile "$tmp/ca.pem" -purpose sslserver -verify_hostname localhost "$tmp/server.pem"
check ok "server.pem by ca.pem, ip 127.0.0.1" -CAfile "$tmp/ca.pem" -purpose sslserver -verify_ip 127.0.0.1 "$tmp/server.pem"
check 'expired' "expired.pem by ca.pem" -CAfile "$tmp/ca.pem" "$tmp/expired.pem"
check ok "wrong-host.pem by ca.pem (no name check)" -CAfile "$tmp/ca.pem" "$tmp/wrong-host.pem"
check 'hostname mismatch' "wrong-host.pem by ca.pem, host localhost" -CAfile "$tmp/ca.pem" -verify_hostname localhost "$tmp/wrong-host.pem"
check ok "client.pem by ca.pem, purpose sslclient" -CAfile "$tmp/ca.pem" -purpose sslclient "$tmp/client.pem"
check 'unsuitable certificate purpose' "client.pem by ca.pem, purpose sslserver" -CAfile "$tmp/ca.pem" -purpose sslserver "$tmp/client.pem"
check ok "untrusted.pem by other-ca.pem" -CAfile "$tmp/other-ca.pem" -verify_hostname localhost "$tmp/untrusted.pem"
check 'unable to get local issuer' "untrusted.pem by ca.pem" -CAfile "$tmp/ca.pem" "$tmp/untrusted.pem"
if [ "$failed" != 0 ]; then
    echo "make-certs: verification failed; $dir left unchanged" >&2
    exit 1
fi

chmod 600 "$tmp"/*-key.pem
chmod 644 "$tmp"/ca.pem "$tmp"/other-ca.pem "$tmp"/server.pem "$tmp"/expired.pem \
    "$tmp"/wrong-host.pem "$tmp"/client.pem "$tmp"/untrusted.pem
# Keys and certificates first, ca.pem last: a concurrent reader that sees the new ca.pem sees
# the complete new set.
for f in "${files[@]}"; do
    [ "$f" = ca.pem ] || mv -f "$tmp/$f" "$dir/$f"
done
mv -f "$tmp/ca.pem" "$dir/ca.pem"
echo "make-certs: created in $dir"
list_files
