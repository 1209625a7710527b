/*
 * The mechanism table: per mechanism its key sizes, flags, the family of
 * operation it runs and the hash it applies first. Adding a mechanism is
 * adding a row (and, for a new family, its operation in the crypto layer).
 */
#ifndef IOTOKEN_MECH_H
#define IOTOKEN_MECH_H

#include <stddef.h>

#include "crypto/crypto.h"

enum mech_family {
	MF_DIGEST,   /* C_Digest* */
	MF_ECDSA,    /* raw r||s over a hash */
	MF_RSA_PKCS, /* PKCS#1 v1.5 type 1 */
	MF_RSA_PSS,  /* PKCS#1 PSS */
	MF_EC_GEN,   /* CKM_EC_KEY_PAIR_GEN */
	MF_RSA_GEN,  /* CKM_RSA_PKCS_KEY_PAIR_GEN */
};

#define MECH_NO_HASH (-1)

/* Packed: the table is read-only data in a device's flash. */
typedef struct mech_row {
	CK_MECHANISM_TYPE type;
	uint16_t min_key, max_key; /* CK_MECHANISM_INFO units: bits for RSA and EC */
	CK_FLAGS flags;            /* CKF_SIGN, CKF_VERIFY, CKF_DIGEST, ... */
	uint8_t family;            /* enum mech_family */
	int8_t hash;               /* enum crypto_hash applied to the data first, or MECH_NO_HASH */
} mech_row;

/* The row for type, or NULL when the token does not offer it. */
const mech_row *mech_find(CK_MECHANISM_TYPE type);
/* All rows; *count set. */
const mech_row *mech_all(size_t *count);

/* The crypto hash a CKM_SHA* / CKG_MGF1_SHA* value names; -1 if none. */
int mech_hash_of(CK_MECHANISM_TYPE type);
int mech_mgf_of(CK_RSA_PKCS_MGF_TYPE mgf);

#endif
