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

#endif
