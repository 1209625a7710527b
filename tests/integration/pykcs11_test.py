#!/usr/bin/python3
"""The module through PyKCS11 (Debian python3-pykcs11), as a Python program uses it.

Run by test_python.sh in two processes against one store, so that the second finds
what the first made only through the token:

  pykcs11_test.py setup   initializes the empty token (C_InitToken, SO login, C_InitPIN)
                          and generates an EC P-256 and an RSA-2048 key pair with labels
                          and ids, and one pair of each without CKA_ID
  pykcs11_test.py use     wrong PIN, login, second login, finds the keys by label and by
                          id, reads their public attributes, is refused the private
                          values, signs and verifies (the module and python3-cryptography
                          both check every signature; tampered messages are refused)

Environment: IOTOKEN_MODULE (the module), PY_TOKEN (token label), PY_SO_PIN, PY_PIN.
Prints "PASS <tag>" for each check; the first failed check prints "FAIL: ..." and
exits 1 (any unexpected exception exits non-zero too).
"""

import hashlib
import os
import sys

import PyKCS11
from PyKCS11 import LowLevel
from PyKCS11.LowLevel import (
    CKA_CLASS, CKA_ID, CKA_LABEL, CKA_KEY_TYPE, CKA_TOKEN, CKA_PRIVATE, CKA_SIGN, CKA_VERIFY,
    CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_ALWAYS_AUTHENTICATE, CKA_VALUE, CKA_EC_PARAMS,
    CKA_EC_POINT, CKA_MODULUS, CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
    CKA_PRIME_1, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKK_EC, CKK_RSA, CKU_SO, CKF_SERIAL_SESSION,
    CKF_RW_SESSION, CKF_TOKEN_INITIALIZED, CKF_USER_PIN_INITIALIZED, CKM_ECDSA,
    CKM_ECDSA_SHA256, CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256,
    CKG_MGF1_SHA256, CKR_ATTRIBUTE_SENSITIVE, CKR_PIN_INCORRECT,
    CKR_USER_ALREADY_LOGGED_IN, CK_TRUE)
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

MODULE = os.environ["IOTOKEN_MODULE"]
TOKEN = os.environ["PY_TOKEN"]
SO_PIN = os.environ["PY_SO_PIN"]
PIN = os.environ["PY_PIN"]

# DER OID of P-256 (prime256v1), the CKA_EC_PARAMS of a named curve
P256_PARAMS = bytes.fromhex("06082a8648ce3d030107")

EC_ID, RSA_ID = bytes.fromhex("a1b2c3"), bytes.fromhex("d4e5f6")
EC_LABEL, RSA_LABEL = "py-ec", "py-rsa"
NOID_EC_LABEL, NOID_RSA_LABEL = "py-ec-noid", "py-rsa-noid"
MSG = b"signed through PyKCS11"
BAD = b"signed through PyKCS11!"


def fail(what, detail=""):
    print(f"FAIL: {what}" + (f": {detail}" if detail else ""), flush=True)
    sys.exit(1)


def check(cond, tag, detail=""):
    if not cond:
        fail(tag, detail)


def ok(tag):
    print(f"PASS {tag}", flush=True)


def expect_error(code, tag, fn, *args):
    """fn(*args) must raise PyKCS11Error with exactly `code`."""
    try:
        fn(*args)
    except PyKCS11.PyKCS11Error as e:
        check(e.value == code, tag,
              f"expected {PyKCS11.CKR[code]}, got {e} ({e.value:#x})")
        return
    fail(tag, f"succeeded, expected {PyKCS11.CKR[code]}")


def load():
    lib = PyKCS11.PyKCS11Lib()
    lib.load(MODULE)
    return lib


def token_slot(lib):
    for s in lib.getSlotList(tokenPresent=True):
        if lib.getTokenInfo(s).label.strip() == TOKEN:
            return s
    fail("find token", f"no token labelled {TOKEN!r}")
    return None


def ec_templates(label, key_id):
    ids = [(CKA_ID, key_id)] if key_id is not None else []
    pub = [(CKA_TOKEN, CK_TRUE), (CKA_VERIFY, CK_TRUE), (CKA_LABEL, label),
           (CKA_EC_PARAMS, P256_PARAMS)] + ids
    priv = [(CKA_TOKEN, CK_TRUE), (CKA_PRIVATE, CK_TRUE), (CKA_SENSITIVE, CK_TRUE),
            (CKA_SIGN, CK_TRUE), (CKA_LABEL, label)] + ids
    return pub, priv


def rsa_templates(label, key_id):
    ids = [(CKA_ID, key_id)] if key_id is not None else []
    pub = [(CKA_TOKEN, CK_TRUE), (CKA_VERIFY, CK_TRUE), (CKA_LABEL, label),
           (CKA_MODULUS_BITS, 2048), (CKA_PUBLIC_EXPONENT, bytes([1, 0, 1]))] + ids
    priv = [(CKA_TOKEN, CK_TRUE), (CKA_PRIVATE, CK_TRUE), (CKA_SENSITIVE, CK_TRUE),
            (CKA_SIGN, CK_TRUE), (CKA_LABEL, label)] + ids
    return pub, priv


def setup():
    lib = load()
    empty = [s for s in lib.getSlotList(tokenPresent=True)
             if not lib.getTokenInfo(s).flags & CKF_TOKEN_INITIALIZED]
    check(len(empty) == 1, "setup: one uninitialized token", f"found {len(empty)}")
    # PyKCS11 hands the string to C_InitToken as it is, and the module reads the 32 bytes
    # that PKCS#11 says pLabel has: pad it, or the label ends in whatever memory follows.
    lib.initToken(empty[0], SO_PIN, TOKEN.ljust(32))
    slot = token_slot(lib)
    check(lib.getTokenInfo(slot).flags & CKF_TOKEN_INITIALIZED, "setup: token initialized")
    ok("init-token")

    s = lib.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION)
    s.login(SO_PIN, user_type=CKU_SO)
    s.initPin(PIN)
    s.logout()
    check(lib.getTokenInfo(slot).flags & CKF_USER_PIN_INITIALIZED, "setup: user PIN set")
    ok("init-pin")

    s.login(PIN)
    ec_gen = PyKCS11.MechanismECGENERATEKEYPAIR
    rsa_gen = PyKCS11.MechanismRSAGENERATEKEYPAIR
    s.generateKeyPair(*ec_templates(EC_LABEL, EC_ID), mecha=ec_gen)
    s.generateKeyPair(*rsa_templates(RSA_LABEL, RSA_ID), mecha=rsa_gen)
    ok("generate-labelled")
    s.generateKeyPair(*ec_templates(NOID_EC_LABEL, None), mecha=ec_gen)
    s.generateKeyPair(*rsa_templates(NOID_RSA_LABEL, None), mecha=rsa_gen)
    ok("generate-without-id")
    s.logout()
    s.closeSession()


def one(s, template, what):
    objs = s.findObjects(template)
    check(len(objs) == 1, what, f"{len(objs)} objects match")
    return objs[0]


def attrs(s, obj, types):
    return s.getAttributeValue(obj, types, allAsBinary=True)


def find_pair(s, label, key_id, key_type):
    """The key pair by label and by id: the same two objects, of the right kind."""
    by_label = {c: one(s, [(CKA_CLASS, c), (CKA_LABEL, label)], f"find {label} by label")
                for c in (CKO_PRIVATE_KEY, CKO_PUBLIC_KEY)}
    by_id = {c: one(s, [(CKA_CLASS, c), (CKA_ID, key_id)], f"find {label} by id")
             for c in (CKO_PRIVATE_KEY, CKO_PUBLIC_KEY)}
    for c in by_label:
        check(by_label[c].value() == by_id[c].value(), f"{label}: label and id find the same",
              f"class {c}: handles {by_label[c].value()} and {by_id[c].value()}")
        kt, lbl, kid = s.getAttributeValue(by_label[c], [CKA_KEY_TYPE, CKA_LABEL, CKA_ID])
        check(kt == key_type, f"{label}: CKA_KEY_TYPE", f"{kt:#x}")
        check(lbl == label, f"{label}: CKA_LABEL", repr(lbl))
        check(bytes(kid) == key_id, f"{label}: CKA_ID", bytes(kid).hex())
    return by_label[CKO_PRIVATE_KEY], by_label[CKO_PUBLIC_KEY]


def raw_point(der):
    """CKA_EC_POINT: DER OCTET STRING around the uncompressed point."""
    check(len(der) == 67 and der[:3] == b"\x04\x41\x04", "CKA_EC_POINT is DER 04 41 04 x y",
          der.hex())
    return der[2:]


def private_flags(s, priv, label):
    sens, extr, aa, private = s.getAttributeValue(
        priv, [CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_ALWAYS_AUTHENTICATE, CKA_PRIVATE])
    check(sens is True and extr is False and aa is False and private is True,
          f"{label}: private key flags",
          f"SENSITIVE={sens} EXTRACTABLE={extr} ALWAYS_AUTHENTICATE={aa} PRIVATE={private}")


def refused(s, priv, secret, label):
    """The private value: PyKCS11 hides it (None); the call itself says
    CKR_ATTRIBUTE_SENSITIVE. (The lengths that the module returns with it,
    CK_UNAVAILABLE_INFORMATION for that entry and the real one for the others, do not
    reach Python: PyKCS11's C_GetAttributeValue copies the template back only on
    CKR_OK. The API tests check them.)"""
    name = PyKCS11.CKA[secret]
    (value,) = s.getAttributeValue(priv, [secret])
    check(value is None, f"{label}: {name} hidden", f"PyKCS11 returned {value!r}")
    t = LowLevel.ckattrlist(2)
    t[0].SetType(CKA_LABEL)
    t[1].SetType(secret)
    rv = s.lib.C_GetAttributeValue(s.session, priv, t)
    check(rv == CKR_ATTRIBUTE_SENSITIVE, f"{label}: C_GetAttributeValue({name})",
          f"returned {PyKCS11.CKR.get(rv, hex(rv))}, expected CKR_ATTRIBUTE_SENSITIVE")


def sign_verify(s, priv, pub, mech, what, independent):
    """Sign MSG; the module verifies it and refuses it for BAD; so does `independent`."""
    sig = bytes(s.sign(priv, MSG, mech))
    check(s.verify(pub, MSG, sig, mech), f"{what}: the module verifies its signature")
    check(not s.verify(pub, BAD, sig, mech), f"{what}: the module refuses a tampered message")
    try:
        independent(sig, MSG)
    except InvalidSignature:
        fail(f"{what}: python3-cryptography refuses the signature", sig.hex())
    try:
        independent(sig, BAD)
        fail(f"{what}: python3-cryptography accepts a tampered message")
    except InvalidSignature:
        pass
    return sig


def use():
    lib = load()
    slot = token_slot(lib)
    s = lib.openSession(slot, CKF_SERIAL_SESSION)  # read-only, as TLS stacks do

    expect_error(CKR_PIN_INCORRECT, "wrong PIN", s.login, "0000")
    ok("wrong-pin")
    check(s.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY)]) == [],
          "no private key visible before login")
    s.login(PIN)
    ok("login")
    expect_error(CKR_USER_ALREADY_LOGGED_IN, "second login", s.login, PIN)
    ok("second-login")

    # EC P-256
    ec_priv, ec_pub = find_pair(s, EC_LABEL, EC_ID, CKK_EC)
    ok("find-ec")
    params, point = attrs(s, ec_pub, [CKA_EC_PARAMS, CKA_EC_POINT])
    check(bytes(params) == P256_PARAMS, "EC CKA_EC_PARAMS is the P-256 OID", bytes(params).hex())
    point = raw_point(bytes(point))
    ppar, ppoint = attrs(s, ec_priv, [CKA_EC_PARAMS, CKA_EC_POINT])
    check(bytes(ppar) == P256_PARAMS and raw_point(bytes(ppoint)) == point,
          "EC private key answers CKA_EC_PARAMS and CKA_EC_POINT of its pair")
    ec_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    ok("ec-public-attributes")
    private_flags(s, ec_priv, EC_LABEL)
    refused(s, ec_priv, CKA_VALUE, EC_LABEL)
    ok("ec-private-value-sensitive")

    def ec_check(sig, msg):
        check(len(sig) == 64, "ECDSA P-256 signature is r||s, 64 bytes", f"{len(sig)} bytes")
        r, s_ = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
        ec_key.verify(utils.encode_dss_signature(r, s_), msg, ec.ECDSA(hashes.SHA256()))

    sign_verify(s, ec_priv, ec_pub, PyKCS11.Mechanism(CKM_ECDSA_SHA256), "CKM_ECDSA_SHA256",
                ec_check)
    ok("sign-ecdsa-sha256")

    # CKM_ECDSA over a hash computed here, as TLS stacks do.
    digest = hashlib.sha256(MSG).digest()
    sig = bytes(s.sign(ec_priv, digest, PyKCS11.Mechanism(CKM_ECDSA)))
    check(s.verify(ec_pub, digest, sig, PyKCS11.Mechanism(CKM_ECDSA)),
          "CKM_ECDSA: the module verifies its signature")
    try:
        ec_check(sig, MSG)
    except InvalidSignature:
        fail("CKM_ECDSA over SHA-256: python3-cryptography refuses the signature", sig.hex())
    ok("sign-ecdsa-raw")

    # RSA-2048
    rsa_priv, rsa_pub = find_pair(s, RSA_LABEL, RSA_ID, CKK_RSA)
    ok("find-rsa")
    n, e = attrs(s, rsa_pub, [CKA_MODULUS, CKA_PUBLIC_EXPONENT])
    n, e = bytes(n), bytes(e)
    check(len(n) == 256 and n[0] & 0x80, "RSA CKA_MODULUS is 2048 bits", f"{len(n)} bytes")
    check(int.from_bytes(e, "big") == 65537, "RSA CKA_PUBLIC_EXPONENT is 65537", e.hex())
    pn, pe = attrs(s, rsa_priv, [CKA_MODULUS, CKA_PUBLIC_EXPONENT])
    check(bytes(pn) == n and bytes(pe) == e,
          "RSA private key answers CKA_MODULUS and CKA_PUBLIC_EXPONENT of its pair")
    rsa_key = rsa.RSAPublicNumbers(int.from_bytes(e, "big"), int.from_bytes(n, "big")).public_key()
    ok("rsa-public-attributes")
    private_flags(s, rsa_priv, RSA_LABEL)
    refused(s, rsa_priv, CKA_PRIVATE_EXPONENT, RSA_LABEL)
    refused(s, rsa_priv, CKA_PRIME_1, RSA_LABEL)
    ok("rsa-private-value-sensitive")

    sign_verify(s, rsa_priv, rsa_pub, PyKCS11.Mechanism(CKM_SHA256_RSA_PKCS),
                "CKM_SHA256_RSA_PKCS",
                lambda sig, msg: rsa_key.verify(sig, msg, padding.PKCS1v15(), hashes.SHA256()))
    ok("sign-sha256-rsa-pkcs")
    pss = PyKCS11.RSA_PSS_Mechanism(CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, 32)
    sign_verify(s, rsa_priv, rsa_pub, pss, "CKM_SHA256_RSA_PKCS_PSS",
                lambda sig, msg: rsa_key.verify(
                    sig, msg, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()))
    ok("sign-sha256-rsa-pss")

    # Pairs generated without CKA_ID: the id is the SHA-1 of the public point (EC) or of
    # the modulus (RSA), on both halves (INTEROP.md).
    for label, attr, conv in ((NOID_EC_LABEL, CKA_EC_POINT, raw_point),
                              (NOID_RSA_LABEL, CKA_MODULUS, lambda b: b)):
        pub = one(s, [(CKA_CLASS, CKO_PUBLIC_KEY), (CKA_LABEL, label)], f"find {label}")
        priv = one(s, [(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_LABEL, label)], f"find {label}")
        value, pub_id = attrs(s, pub, [attr, CKA_ID])
        (priv_id,) = attrs(s, priv, [CKA_ID])
        want = hashlib.sha1(conv(bytes(value))).digest()
        check(bytes(pub_id) == want and bytes(priv_id) == want, f"{label}: CKA_ID is the SHA-1",
              f"public {bytes(pub_id).hex()}, private {bytes(priv_id).hex()}, want {want.hex()}")
    ok("default-id-sha1")

    s.logout()
    check(s.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY)]) == [],
          "no private key visible after logout")
    ok("logout")
    s.closeSession()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("setup", "use"):
        fail("usage", "pykcs11_test.py setup|use")
    setup() if sys.argv[1] == "setup" else use()
