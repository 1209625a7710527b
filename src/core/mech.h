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
	/* Secret keys (issue 10); key sizes in bytes unless said. */
	MF_AES_GEN,    /* CKM_AES_KEY_GEN */
	MF_SECRET_GEN, /* CKM_GENERIC_SECRET_KEY_GEN (sizes in bits, as v2.40 2.8.1 says) */
	MF_AES_ECB,    /* the cipher families map to enum crypto_aes_mode in order */
	MF_AES_CBC,
	MF_AES_CBC_PAD,
	MF_AES_CTR,
	MF_AES_GCM,
	MF_AES_KW,       /* CKM_AES_KEY_WRAP: RFC 3394 */
	MF_AES_KWP,      /* CKM_AES_KEY_WRAP_PAD: RFC 5649 */
	MF_HMAC,         /* CKM_SHA*_HMAC: full-length MAC */
	MF_HMAC_GENERAL, /* CKM_SHA*_HMAC_GENERAL: CK_MAC_GENERAL_PARAMS bytes of it */
	MF_CMAC,         /* CKM_AES_CMAC */
	MF_CMAC_GENERAL, /* CKM_AES_CMAC_GENERAL */
	MF_RSA_OAEP,     /* CKM_RSA_PKCS_OAEP (sizes in bits) */
	MF_ECDH,         /* CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE (sizes in bits) */
	MF_ED_GEN,       /* CKM_EC_EDWARDS_KEY_PAIR_GEN (Ed25519; bits of the field: 255) */
	MF_EDDSA,        /* CKM_EDDSA: PureEdDSA over the whole message */
};

/* Whether a family is one of the AES cipher modes (C_Encrypt, C_Decrypt). */
#define MF_IS_AES_MODE(f) ((f) >= MF_AES_ECB && (f) <= MF_AES_GCM)
/* Whether a family is a MAC (C_Sign, C_Verify with a secret key). */
#define MF_IS_MAC(f) ((f) >= MF_HMAC && (f) <= MF_CMAC_GENERAL)

#define MECH_NO_HASH (-1)

/* Packed: the table is read-only data in a device's flash. */
typedef struct mech_row {
	uint16_t type;             /* a CKM_* of v2.40 (all below 0x10000: -Woverflow checks) */
	uint16_t min_key, max_key; /* CK_MECHANISM_INFO units: bits for RSA and EC */
	uint16_t flags;            /* MECH_F(CKF_SIGN | ...): read with mech_flags() */
	uint8_t family;            /* enum mech_family */
	int8_t hash;               /* enum crypto_hash applied to the data first, or MECH_NO_HASH */
} mech_row;

/* CK_MECHANISM_INFO flags in 16 bits: CKF_ENCRYPT (0x100) to CKF_DERIVE
 * (0x80000) shifted down by 8, and one bit for the three EC flags, which
 * every EC mechanism has together. Any other flag does not compile. */
#define MECH_EC_FLAGS (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)
#define MECH_F(f)                                                                    \
	((uint16_t)((((f) >> 8) & 0x0fffu) | (((f)&MECH_EC_FLAGS) ? 0x8000u : 0u)) + \
	 0 * sizeof(char[((f) & ~(MECH_EC_FLAGS | 0x0fff00ul)) ? -1 : 1]))

static inline CK_FLAGS mech_flags(const mech_row *m)
{
	return ((CK_FLAGS)(m->flags & 0x0fffu) << 8) | ((m->flags & 0x8000u) ? MECH_EC_FLAGS : 0);
}

/* The row for type, or NULL when the token does not offer it. */
const mech_row *mech_find(CK_MECHANISM_TYPE type);
/* All rows; *count set. */
const mech_row *mech_all(size_t *count);

/* The crypto hash a CKM_SHA* / CKG_MGF1_SHA* value names; -1 if none. */
int mech_hash_of(CK_MECHANISM_TYPE type);
int mech_mgf_of(CK_RSA_PKCS_MGF_TYPE mgf);

#endif
