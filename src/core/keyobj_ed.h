/*
 * Ed25519 key objects (CKK_EC_EDWARDS; PKCS#11 3.0 mechanisms 2.3.5-2.3.6):
 * what keyobj.c needs to build, import and generate them.
 */
#ifndef IOTOKEN_KEYOBJ_ED_H
#define IOTOKEN_KEYOBJ_ED_H

#include "core/object.h"
#include "crypto/crypto_ed.h"

#if IOT_WITH_ED25519
/* The DER OCTET STRING of a 32-byte public key (CKA_EC_POINT). */
#define ED_POINT_DER_LEN (2 + CRYPTO_ED25519_KEY_LEN)

/* Whether CKA_EC_PARAMS names Ed25519: the RFC 8410 OID 1.3.101.112, the
 * PrintableString "edwards25519" (3.0 2.3.5), or the OID
 * 1.3.6.1.4.1.11591.15.1 older clients (OpenSC) send. Else
 * CKR_CURVE_NOT_SUPPORTED for another valid OID or string,
 * CKR_ATTRIBUTE_VALUE_INVALID for bytes that are neither. */
CK_RV ed_params_check(const uint8_t *p, size_t len) IOT_MUST_CHECK;

/* The backend key of an Ed25519 key object. */
CK_RV ed_build_key(const object *obj, crypto_key **out) IOT_MUST_CHECK;

/* C_CreateObject's checks and derived values: CKA_EC_PARAMS, and
 * CKA_EC_POINT stored as DER (a given one must be the key's own). */
CK_RV ed_import(object *obj, const crypto_key *k) IOT_MUST_CHECK;

/* C_GenerateKeyPair: the public template's CKA_EC_PARAMS checked, the key
 * made. */
CK_RV ed_generate(const CK_ATTRIBUTE *pub, CK_ULONG npub, crypto_key **out) IOT_MUST_CHECK;

/* A generated key's CKA_EC_POINT (DER) and, for the private key, its
 * CKA_VALUE. */
CK_RV ed_material(const crypto_key *k, uint8_t point_der[ED_POINT_DER_LEN],
		  uint8_t seed[CRYPTO_ED25519_KEY_LEN]) IOT_MUST_CHECK;
#endif

#endif
