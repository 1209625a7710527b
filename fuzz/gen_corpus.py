#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

    python3 fuzz/gen_corpus.py [build-dir]     (default: build-fuzz)

The seeds are committed; run this again only when an input format changes.
The encodings below mirror the readers in fuzz_common.c (templates),
fuzz_template.c, fuzz_der.c and fuzz_calls.c. fuzz_record's seeds are real
records made by the target itself (FUZZ_RECORD_SEEDS), so it must be built.
RSA keys are made with python3-cryptography (random; any key will do).
"""
import os
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")

# ---- Constants (PKCS#11 v2.40) ----
CKO = dict(DATA=0, CERTIFICATE=1, PUBLIC_KEY=2, PRIVATE_KEY=3, SECRET_KEY=4)
CKK = dict(RSA=0, EC=3, GENERIC_SECRET=0x10, AES=0x1F)


def attr_types():
    """The fz_attr_types table of fuzz_common.c: name -> index."""
    src = open(os.path.join(HERE, "fuzz_common.c")).read()
    body = src.split("/* fz_attr_types begin */")[1].split("/* fz_attr_types end */")[0]
    names = re.findall(r"\b(CKA_[A-Z0-9_]+),", body)
    return {n[4:]: i for i, n in enumerate(names)}


T = attr_types()


def u8(v):
    return bytes([v & 0xFF])


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


# Dictionary values (dict_value in fuzz_common.c) and special CK_ULONGs.
D_P256, D_P384, D_P521, D_K256, D_POINT_DER, D_POINT_RAW, D_SCALAR, D_CERT, D_F4 = range(9)
SPECIALS = [0, 1, 2, 3, 4, 0x80000000, 2**64 - 1, 0xFFFFFFFF, 0x80000000, 0x1040, 0, 256,
            2048, 2**63, 65537, 32]


# ---- Templates (fz_tmpl_read / fz_tmpl_read_get) ----
def a_bool(t, v):
    return u8(T[t]) + u8(0) + u8(1 if v else 0)


def a_ulong(t, v):
    return u8(T[t]) + u8(1) + u64(v)


def a_small(t, v):
    return u8(T[t]) + u8(2) + u8(v)


def a_bytes(t, b):
    if len(b) < 256:
        return u8(T[t]) + u8(3) + u8(len(b)) + b
    return u8(T[t]) + u8(4) + u16(len(b)) + b


def a_null(t):
    return u8(T[t]) + u8(5)


def a_null_len(t, n):
    return u8(T[t]) + u8(6) + u8(0) + u8(n)


def a_odd(t, b):
    return u8(T[t]) + u8(7) + u8(len(b)) + b


def a_dict(t, i):
    return u8(T[t]) + u8(8) + u8(i)


def a_special(t, i):
    return u8(T[t]) + u8(9) + u8(i)


def tmpl(*attrs):
    return u8(len(attrs)) + b"".join(attrs)


NULL_TMPL_COUNT = u8(0xFF) + u8(3)


def g_attr(t, form, extra=b""):
    """A C_GetAttributeValue entry: 0 NULL, 2 u8 buffer, 5 CK_ULONG, 7 4096."""
    return u8(T[t]) + u8(form) + extra


def g_size(t):
    return g_attr(t, 0)


def g_full(t):
    return g_attr(t, 7)


def g_small(t, n):
    return g_attr(t, 2, u8(n))


def gtmpl(*attrs):
    return u8(len(attrs)) + b"".join(attrs)


# ---- RSA keys ----
def rsa_parts(bits):
    from cryptography.hazmat.primitives.asymmetric import rsa

    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    n = k.private_numbers()
    pub = n.public_numbers

    def be(x):
        return x.to_bytes((x.bit_length() + 7) // 8, "big")

    return [be(pub.n), be(pub.e), be(n.d), be(n.p), be(n.q), be(n.dmp1), be(n.dmq1),
            be(n.iqmp)]


# ---- fuzz_template: steps ----
def t_create(t):
    return u8(0) + t


def t_find(t, rounds=((8,))):
    return u8(1) + t + u8(len(rounds) - 1) + b"".join(u8(m) for m in rounds)


def t_set(h, t):
    return u8(2) + u8(h) + t


def t_get(h, g):
    return u8(3) + u8(h) + g


def t_copy(h, t):
    return u8(4) + u8(h) + t


def t_destroy(h):
    return u8(5) + u8(h)


def t_size(h):
    return u8(6) + u8(h)


def template_seeds(rsa):
    s = {}
    data = tmpl(a_special("CLASS", 0), a_bytes("LABEL", b"label"),
                a_bytes("VALUE", b"value"), a_bytes("APPLICATION", b"app"))
    s["data_session"] = (t_create(data) + t_get(0, gtmpl(g_size("VALUE"), g_full("LABEL"),
                                                         g_small("CLASS", 8)))
                         + t_set(0, tmpl(a_bytes("LABEL", b"new"))) +
                         t_find(tmpl(a_bytes("LABEL", b"new"))) + t_size(0) + t_destroy(0))
    tok = tmpl(a_special("CLASS", 0), a_bool("TOKEN", 1), a_bool("PRIVATE", 1),
               a_bytes("LABEL", b"tok"), a_bytes("VALUE", b"x" * 40),
               a_bytes("OBJECT_ID", b"\x06\x03\x2a\x03\x04"))
    s["data_token"] = (t_create(tok) + t_copy(0, tmpl(a_bool("PRIVATE", 0))) +
                       t_get(1, gtmpl(g_full("VALUE"), g_full("PRIVATE"))))
    cert = tmpl(a_special("CLASS", 1), a_special("CERTIFICATE_TYPE", 0), a_bool("TOKEN", 1),
                a_dict("VALUE", D_CERT), a_bytes("ID", b"\x01"), a_bytes("LABEL", b"cert"),
                a_odd("START_DATE", b"20240101"))
    s["cert"] = (t_create(cert) + t_get(0, gtmpl(g_full("SUBJECT"), g_full("ISSUER"),
                                                 g_full("SERIAL_NUMBER"), g_size("VALUE"))) +
                 t_find(tmpl(a_special("CLASS", 1))))
    ecpub = tmpl(a_special("CLASS", 2), a_special("KEY_TYPE", 3), a_bool("TOKEN", 1),
                 a_dict("EC_PARAMS", D_P256), a_dict("EC_POINT", D_POINT_DER),
                 a_bool("VERIFY", 1), a_bytes("LABEL", b"ec"))
    s["ec_public"] = (t_create(ecpub) + t_get(0, gtmpl(g_full("EC_POINT"),
                                                       g_full("PUBLIC_KEY_INFO"))) +
                      t_set(0, tmpl(a_bool("VERIFY", 0))) + t_copy(0, tmpl(a_bool("TOKEN", 0))))
    s["ec_public_raw"] = t_create(tmpl(a_special("CLASS", 2), a_special("KEY_TYPE", 3),
                                       a_dict("EC_PARAMS", D_P256),
                                       a_dict("EC_POINT", D_POINT_RAW)))
    ecpriv = tmpl(a_special("CLASS", 3), a_special("KEY_TYPE", 3), a_bool("TOKEN", 1),
                  a_dict("EC_PARAMS", D_P256), a_dict("VALUE", D_SCALAR),
                  a_bool("SENSITIVE", 0), a_bool("EXTRACTABLE", 1), a_bool("SIGN", 1))
    s["ec_private"] = (t_create(ecpriv) + t_get(0, gtmpl(g_full("VALUE"), g_full("EC_POINT"),
                                                         g_small("SENSITIVE", 1))) +
                       t_set(0, tmpl(a_bool("SENSITIVE", 1))) + t_get(0, gtmpl(g_size("VALUE"))))
    secret = tmpl(a_special("CLASS", 4), a_small("KEY_TYPE", CKK["GENERIC_SECRET"]),
                  a_bytes("VALUE", bytes(range(32))), a_bool("TOKEN", 1))
    s["secret"] = t_create(secret) + t_get(0, gtmpl(g_full("VALUE"), g_full("VALUE_LEN")))
    aes = tmpl(a_special("CLASS", 4), a_small("KEY_TYPE", CKK["AES"]),
               a_bytes("VALUE", bytes(16)), a_bool("EXTRACTABLE", 1))
    s["aes"] = t_create(aes) + t_get(0, gtmpl(g_full("VALUE")))
    rsapub = tmpl(a_special("CLASS", 2), a_special("KEY_TYPE", 0), a_bool("TOKEN", 1),
                  a_bytes("MODULUS", rsa[0]), a_bytes("PUBLIC_EXPONENT", rsa[1]))
    s["rsa_public"] = t_create(rsapub) + t_get(0, gtmpl(g_full("MODULUS_BITS"),
                                                        g_full("PUBLIC_KEY_INFO")))
    names = ["MODULUS", "PUBLIC_EXPONENT", "PRIVATE_EXPONENT", "PRIME_1", "PRIME_2",
             "EXPONENT_1", "EXPONENT_2", "COEFFICIENT"]
    rsapriv = tmpl(a_special("CLASS", 3), a_special("KEY_TYPE", 0), a_bool("TOKEN", 1),
                   *[a_bytes(n, v) for n, v in zip(names, rsa)])
    s["rsa_private"] = t_create(rsapriv) + t_get(0, gtmpl(g_size("PRIVATE_EXPONENT")))
    s["undestroyable"] = (t_create(tmpl(a_special("CLASS", 0), a_bool("TOKEN", 1),
                                        a_bool("DESTROYABLE", 0))) + t_destroy(0) +
                          t_create(tmpl(a_special("CLASS", 0), a_bool("MODIFIABLE", 0))) +
                          t_set(1, tmpl(a_bytes("LABEL", b"no"))))
    s["bad_lengths"] = (t_create(tmpl(a_special("CLASS", 0), a_null_len("LABEL", 200),
                                      a_odd("TOKEN", b"\x01\x00"))) +
                        t_create(NULL_TMPL_COUNT) +
                        t_find(tmpl(a_odd("CLASS", b"\x00\x00\x00\x00"))) +
                        t_create(tmpl(a_null("CLASS"))))
    return s


# ---- fuzz_calls ----
MECHS = ["SHA_1", "SHA224", "SHA256", "SHA384", "SHA512", "EC_KEY_PAIR_GEN",
         "RSA_PKCS_KEY_PAIR_GEN", "ECDSA", "ECDSA_SHA1", "ECDSA_SHA224", "ECDSA_SHA256",
         "ECDSA_SHA384", "ECDSA_SHA512", "RSA_PKCS", "SHA1_RSA_PKCS", "SHA224_RSA_PKCS",
         "SHA256_RSA_PKCS", "SHA384_RSA_PKCS", "SHA512_RSA_PKCS", "RSA_PKCS_PSS",
         "SHA1_RSA_PKCS_PSS", "SHA224_RSA_PKCS_PSS", "SHA256_RSA_PKCS_PSS",
         "SHA384_RSA_PKCS_PSS", "SHA512_RSA_PKCS_PSS"]
M = {n: i for i, n in enumerate(MECHS)}


def mech(name, param=b"\x00"):
    return u8(M[name]) + param + u8(0)


def pss(hash_i, mgf_i, slen):
    return u8(2) + u8(hash_i) + u8(mgf_i) + u8(slen) + u8(0)


def data(b):
    return u8(0) + u8(len(b)) + b


DATA_LAST_SIG = u8(5)
OUT_NULL = u8(0)
OUT_LAST = u8(2)
OUT_512 = u8(8)
PIN_USER, PIN_SO, PIN_WRONG = u8(0), u8(1), u8(2)


def c_open(flags=0):
    return u8(12) + u8(0) + u8(flags)


def c_login(user, pin, sess=0):
    return u8(16) + u8(sess) + u8(user) + pin


def c_crypto(sub, rest):
    if sub <= 8:
        return u8(38 + sub) + u8(0) + rest
    return u8(38 + sub - 9) + u8(1) + rest


def c_tmpl_op(op, rest, sess=0):
    return u8(29 + op) + u8(sess) + u8(0) + rest


def c_find_label(label):
    return (c_tmpl_op(4, tmpl(a_bytes("LABEL", label))) + u8(36) + u8(0) + u8(8) +
            u8(24) + u8(0))


def sign_verify(m, label, msg=b"message to sign"):
    out = c_find_label(label)
    for key in (0, 1):
        out += c_crypto(5, u8(0) + m + u8(key))
        out += c_crypto(6, u8(0) + data(msg) + OUT_NULL)
        out += c_crypto(6, u8(0) + data(msg) + OUT_LAST)
    for key in (0, 1):
        out += c_crypto(9, u8(0) + m + u8(key))
        out += c_crypto(10, u8(0) + data(msg) + DATA_LAST_SIG)
    # multi-part
    out += c_crypto(5, u8(0) + m + u8(1))
    out += c_crypto(7, u8(0) + data(msg[:5])) + c_crypto(7, u8(0) + data(msg[5:]))
    out += c_crypto(8, u8(0) + OUT_512)
    out += c_crypto(9, u8(0) + m + u8(0))
    out += c_crypto(11, u8(0) + data(msg)) + c_crypto(12, u8(0) + DATA_LAST_SIG)
    return out


def calls_seeds():
    s = {}
    login = c_open() + c_login(0, PIN_USER)
    s["sign_ecdsa"] = login + sign_verify(mech("ECDSA_SHA256"), b"ec")
    s["sign_ecdsa_raw"] = login + sign_verify(mech("ECDSA"), b"ec", b"\x11" * 32)
    s["sign_rsa_pkcs"] = login + sign_verify(mech("SHA256_RSA_PKCS"), b"rsa")
    s["sign_rsa_pss"] = login + sign_verify(mech("SHA256_RSA_PKCS_PSS", pss(2, 2, 32)), b"rsa")
    s["sign_rsa_pss_raw"] = login + sign_verify(mech("RSA_PKCS_PSS", pss(2, 2, 32)), b"rsa",
                                                b"\x22" * 32)
    s["digest"] = (c_open(1) + c_crypto(0, u8(0) + mech("SHA256")) +
                   c_crypto(2, u8(0) + data(b"abc")) + c_crypto(4, u8(0) + OUT_NULL) +
                   c_crypto(4, u8(0) + OUT_LAST) + c_crypto(0, u8(0) + mech("SHA512")) +
                   c_crypto(1, u8(0) + data(b"abc") + u8(5)) +
                   c_crypto(1, u8(0) + data(b"abc") + OUT_512))
    gen = c_tmpl_op(5, mech("EC_KEY_PAIR_GEN") +
                    tmpl(a_dict("EC_PARAMS", D_P384), a_bool("TOKEN", 1)) +
                    tmpl(a_bool("SIGN", 1), a_bool("TOKEN", 1)))
    s["keygen_ec"] = (login + gen + c_crypto(5, u8(0) + mech("ECDSA_SHA384") + u8(1)) +
                      c_crypto(6, u8(0) + data(b"x") + OUT_512) +
                      c_tmpl_op(2, u8(0) + gtmpl(g_full("EC_POINT"), g_full("ID"))) +
                      u8(22) + u8(0) + u8(1))
    s["pins"] = (c_open() + c_login(0, PIN_WRONG) + c_login(1, PIN_SO) +
                 u8(18) + u8(0) + u8(3) +                      # InitPIN "1234"
                 u8(17) + u8(0) +                              # Logout
                 c_login(0, u8(3)) +                           # user "1234"
                 u8(19) + u8(0) + u8(3) + PIN_USER +           # SetPIN
                 u8(17) + u8(0) + c_login(0, u8(6) + u8(8)) +  # NULL PIN
                 c_login(0, u8(7)) + c_login(0, PIN_USER) + u8(15) + u8(0) + u8(0))
    s["init_token"] = (u8(11) + u8(0) + PIN_SO + u8(4) + b"new!" + c_open() +
                       c_login(1, PIN_SO) + u8(18) + u8(0) + PIN_USER + u8(13) + u8(0) +
                       u8(11) + u8(0x90) + PIN_SO + u8(4) + b"next")
    s["slots"] = (u8(5) + u8(0) + u8(6) + u8(0) + u8(6) + u8(2 | (8 << 2)) +
                  u8(7) + u8(0) + u8(0) + u8(8) + u8(0x80) + u8(0) +
                  u8(9) + u8(0) + u8(0) + u8(9) + u8(0) + u8(64) +
                  u8(10) + u8(0) + u8(M["SHA256"]) + u8(0) + u8(10) + u8(0) + u8(0xf3) +
                  u32(0x1234) + u8(0) + u8(28) + u8(0) + u8(28) + u8(1))
    s["init_finalize"] = (u8(1) + u8(0) + u8(0) + u8(2) + u8(0) + u8(4) + u8(1) + u8(0) +
                          u8(0) + u8(3) + u8(1) + u8(0) + u8(4) + u8(1) + u8(0) + u8(5) +
                          u8(1) + u8(0) + u8(6) + u8(1) + u8(0) + u8(0) + c_open() +
                          u8(2) + u8(0) + u8(3) + u8(0) + u8(3) + u8(0xc0) + u8(4) + u8(0) +
                          u8(0))
    s["objects"] = (login + c_tmpl_op(0, tmpl(a_special("CLASS", 0), a_bool("TOKEN", 1),
                                               a_bytes("VALUE", b"v"))) +
                    c_tmpl_op(1, u8(0) + tmpl(a_bytes("LABEL", b"copy"))) +
                    c_tmpl_op(3, u8(1) + tmpl(a_bytes("LABEL", b"set"))) +
                    c_tmpl_op(2, u8(1) + gtmpl(g_full("LABEL"), g_size("VALUE"))) +
                    u8(23) + u8(0) + u8(1) + u8(0) + u8(22) + u8(0) + u8(0) + u8(22) + u8(0) +
                    u8(0))
    s["random"] = (c_open(1) + u8(25) + u8(0) + data(b"seed") + u8(26) + u8(0) + u8(7) +
                   u16(100) + u8(26) + u8(0) + u8(0x80) + u64(5) + u8(27) + u8(0) + u8(1))
    s["unsupported"] = (login + b"".join(u8(47) + u8(0) + u8(sub) +
                                         (mech("RSA_PKCS") + u8(0) if sub in (0, 1, 4, 6)
                                          else b"") + data(b"d") + OUT_512
                                         for sub in range(16)))
    s["sessions"] = (c_open() + c_open(1) + c_open(2) + u8(15) + u8(1) + u8(0) +
                     u8(13) + u8(0) + u8(13) + u8(0) + u8(14) + u8(0) + u8(15) + u8(1) +
                     u8(0) + u8(20) + u8(0) + OUT_NULL + u8(21) + u8(0) + data(b"st") +
                     u8(0) + u8(0))
    return s


# ---- fuzz_der ----
def der_seeds(rsa1024, rsa2048):
    sys.path.insert(0, HERE)
    s = {}
    p256 = bytes.fromhex("06082a8648ce3d030107")
    s["params_p256"] = u8(0) + p256
    s["params_p384"] = u8(0) + bytes.fromhex("06052b81040022")
    s["params_p521"] = u8(0) + bytes.fromhex("06052b81040023")
    s["params_k256"] = u8(0) + bytes.fromhex("06052b8104000a")
    s["params_long"] = u8(0) + bytes.fromhex("0681") + u8(0x81) + b"\x2a" * 0x81
    data_h = open(os.path.join(HERE, "fuzz_data.h")).read()

    def arr(name):
        body = data_h.split(name)[1].split("};")[0].split("{")[1]
        return bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", body))

    cert = arr("fz_cert_der")
    scalar = arr("fz_ec_scalar")
    point = arr("fz_ec_point")
    s["ec_point_der"] = u8(1) + u8(0) + u8(4) + u8(len(point)) + point
    s["ec_point_raw"] = u8(1) + u8(0) + point
    s["ec_point_p521_der"] = u8(1) + u8(2) + u8(4) + u8(0x81) + u8(133) + u8(4) + bytes(132)
    s["ec_scalar"] = u8(2) + u8(0) + scalar
    s["ec_scalar_p384"] = u8(2) + u8(1) + b"\x00" * 47 + b"\x07"
    s["cert"] = u8(3) + cert
    for name, parts in (("1024", rsa1024), ("2048", rsa2048)):
        enc = lambda ps: b"".join(u16(len(p)) + p for p in ps)
        s["rsa_public_" + name] = u8(4) + enc(parts[:2])
        s["rsa_private_" + name] = u8(5) + enc(parts)
    s["rsa_private_no_crt"] = u8(5) + b"".join(u16(len(p)) + p for p in rsa1024[:5])
    s["rsa_private_no_e"] = (u8(5) + u16(len(rsa1024[0])) + rsa1024[0] + u16(0) +
                             b"".join(u16(len(p)) + p for p in rsa1024[2:5]))
    s["params_fixed_point"] = u8(6) + p256
    s["raw_point"] = u8(7) + u8(0) + point
    return s


def write(target, seeds):
    d = os.path.join(CORPUS, target)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    for name, b in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(b)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-fuzz")
    rsa1024 = rsa_parts(1024)
    rsa2048 = rsa_parts(2048)
    write("fuzz_template", template_seeds(rsa2048))
    write("fuzz_calls", calls_seeds())
    write("fuzz_der", der_seeds(rsa1024, rsa2048))
    d = os.path.join(CORPUS, "fuzz_record")
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    env = dict(os.environ, FUZZ_RECORD_SEEDS=d)
    subprocess.run([os.path.join(build, "fuzz", "fuzz_record")], env=env, check=True)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(CORPUS) for f in fs)
    print("corpus: %d bytes" % total)


if __name__ == "__main__":
    main()
