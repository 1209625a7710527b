/*
 * Key objects and their backend keys: the crypto key behind an object
 * (built once, cached on the object), the checks and derived attributes of
 * imported keys and certificates, and key-pair generation.
 */
#ifndef IOTOKEN_KEYOBJ_H
#define IOTOKEN_KEYOBJ_H

#include "core/mech.h"
#include "core/object.h"

/* A new reference to the object's backend key, built and cached on first
 * use. CKR_KEY_TYPE_INCONSISTENT for objects that are not EC or RSA keys. */
CK_RV keyobj_key(object *obj, crypto_key **out) IOT_MUST_CHECK;

/* C_CreateObject of a key or certificate: checks the material (EC point on
 * the curve, scalar in range, RSA parts consistent, certificate DER) and
 * fills what can be derived (CKA_EC_POINT of a private EC key, missing RSA
 * CRT values, CKA_PUBLIC_KEY_INFO, a certificate's subject, issuer and
 * serial). Other objects pass unchanged. */
CK_RV keyobj_import(object *obj) IOT_MUST_CHECK;

/* C_GenerateKeyPair: both objects, ready to be published (no handle yet). */
CK_RV keyobj_generate(const mech_row *m, const CK_ATTRIBUTE *pub, CK_ULONG npub,
		      const CK_ATTRIBUTE *priv, CK_ULONG npriv, unsigned flags, object **pub_out,
		      object **priv_out) IOT_MUST_CHECK;

#if IOT_WITH_AES || IOT_WITH_HMAC
/* C_GenerateKey (CKM_AES_KEY_GEN, CKM_GENERIC_SECRET_KEY_GEN): the secret
 * key object, ready to be published. CKA_VALUE_LEN required
 * (CKR_TEMPLATE_INCOMPLETE), AES 16/24/32, generic 1..4096 bytes (else
 * CKR_ATTRIBUTE_VALUE_INVALID). */
CK_RV keyobj_generate_secret(const mech_row *m, const CK_ATTRIBUTE *t, CK_ULONG n, unsigned flags,
			     object **out) IOT_MUST_CHECK;
#endif

#if IOT_WITH_AES || IOT_WITH_OAEP || IOT_WITH_ECDH
/* The secret key object of C_UnwrapKey (from: the unwrapping key, whose
 * CKA_UNWRAP_TEMPLATE it gets) or C_DeriveKey (derived, from: the base key,
 * whose CKA_DERIVE_TEMPLATE it gets and whose CKA_ALWAYS_SENSITIVE and
 * CKA_NEVER_EXTRACTABLE bound its own): the template's CKA_CLASS and
 * CKA_KEY_TYPE required
 * (CKR_TEMPLATE_INCOMPLETE; classes other than a secret key, key types
 * other than AES and generic: CKR_TEMPLATE_INCONSISTENT), value the key's.
 * An unwrapped key is never made CKA_SENSITIVE FALSE
 * (CKR_TEMPLATE_INCONSISTENT). A value of a length the key type cannot
 * have: CKR_WRAPPED_KEY_INVALID. */
CK_RV keyobj_secret_object(const CK_ATTRIBUTE *t, CK_ULONG n, const uint8_t *value, size_t len,
			   const object *from, int derived, unsigned flags,
			   object **out) IOT_MUST_CHECK;
#endif

#endif
