/*
 * Key derivation (C_DeriveKey): ECDH with the token's EC private keys.
 */
#ifndef IOTOKEN_DERIVE_H
#define IOTOKEN_DERIVE_H

#include "core/object.h"

#if IOT_WITH_ECDH
/* The derived secret key object, not yet published. Checks in v2.40 5.14's
 * order: mechanism (CKR_MECHANISM_INVALID), the base key's class and type
 * (CKR_KEY_TYPE_INCONSISTENT), CKA_DERIVE (CKR_KEY_FUNCTION_NOT_PERMITTED),
 * CKA_ALLOWED_MECHANISMS, size, then CK_ECDH1_DERIVE_PARAMS
 * (CKR_MECHANISM_PARAM_INVALID, also for a peer point that is not on the
 * base key's curve) and the template. */
CK_RV derive_key(const CK_MECHANISM *mech, object *base, const CK_ATTRIBUTE *t, CK_ULONG n,
		 unsigned flags, object **out) IOT_MUST_CHECK;
#endif

#endif
