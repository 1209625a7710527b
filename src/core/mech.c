/* The mechanism table (see mech.h): exactly what works, nothing more. */
#include "core/mech.h"

#define EC_FLAGS MECH_EC_FLAGS
#define SV (CKF_SIGN | CKF_VERIFY)

/* RSA keys the token signs and verifies with (generation: 2048 to 4096). */
#define RSA_MIN CRYPTO_RSA_MIN_BITS
#define RSA_MAX CRYPTO_RSA_MAX_BITS

/* The largest curve compiled in (iotoken/defaults.h). */
#if IOT_WITH_P521
#define EC_MAX 521
#elif IOT_WITH_P384
#define EC_MAX 384
#else
#define EC_MAX 256
#endif

/* The smallest curve compiled in. */
#if IOT_WITH_P224
#define EC_MIN 224
#else
#define EC_MIN 256
#endif

#define ED (CKF_ENCRYPT | CKF_DECRYPT)
#define WU (CKF_WRAP | CKF_UNWRAP)

/* HMAC keys: at least half the hash output (FIPS 198-1 guidance, which
 * v2.40 2.22 lets a token require), at most 4 KiB; in bytes. */
#define HMAC_ROW(type, family, hash, min)                 \
	{                                                 \
		type, min, 4096, MECH_F(SV), family, hash \
	}

/* One RSA signature mechanism: PKCS#1 v1.5 or PSS, over a hash or raw. */
#define RSA_ROW(type, family, hash)                              \
	{                                                        \
		type, RSA_MIN, RSA_MAX, MECH_F(SV), family, hash \
	}

static const mech_row rows[] = {
#if IOT_WITH_SHA1
	{ CKM_SHA_1, 0, 0, MECH_F(CKF_DIGEST), MF_DIGEST, HASH_SHA1 },
#endif
#if IOT_WITH_SHA224
	{ CKM_SHA224, 0, 0, MECH_F(CKF_DIGEST), MF_DIGEST, HASH_SHA224 },
#endif
	{ CKM_SHA256, 0, 0, MECH_F(CKF_DIGEST), MF_DIGEST, HASH_SHA256 },
#if IOT_WITH_SHA384
	{ CKM_SHA384, 0, 0, MECH_F(CKF_DIGEST), MF_DIGEST, HASH_SHA384 },
	{ CKM_SHA512, 0, 0, MECH_F(CKF_DIGEST), MF_DIGEST, HASH_SHA512 },
#endif

	{ CKM_EC_KEY_PAIR_GEN, EC_MIN, EC_MAX, MECH_F(CKF_GENERATE_KEY_PAIR | EC_FLAGS), MF_EC_GEN,
	  MECH_NO_HASH },
#if IOT_WITH_RSA_KEYGEN
	{ CKM_RSA_PKCS_KEY_PAIR_GEN, 2048, 4096, MECH_F(CKF_GENERATE_KEY_PAIR), MF_RSA_GEN,
	  MECH_NO_HASH },
#endif

	{ CKM_ECDSA, EC_MIN, EC_MAX, MECH_F(SV | EC_FLAGS), MF_ECDSA, MECH_NO_HASH },
#if IOT_WITH_SHA1
	{ CKM_ECDSA_SHA1, EC_MIN, EC_MAX, MECH_F(SV | EC_FLAGS), MF_ECDSA, HASH_SHA1 },
#endif
#if IOT_WITH_SHA224
	{ CKM_ECDSA_SHA224, EC_MIN, EC_MAX, MECH_F(SV | EC_FLAGS), MF_ECDSA, HASH_SHA224 },
#endif
	{ CKM_ECDSA_SHA256, EC_MIN, EC_MAX, MECH_F(SV | EC_FLAGS), MF_ECDSA, HASH_SHA256 },
#if IOT_WITH_SHA384
	{ CKM_ECDSA_SHA384, EC_MIN, EC_MAX, MECH_F(SV | EC_FLAGS), MF_ECDSA, HASH_SHA384 },
	{ CKM_ECDSA_SHA512, EC_MIN, EC_MAX, MECH_F(SV | EC_FLAGS), MF_ECDSA, HASH_SHA512 },
#endif

#if IOT_WITH_RSA
	RSA_ROW(CKM_RSA_PKCS, MF_RSA_PKCS, MECH_NO_HASH),
#if IOT_WITH_SHA1
	RSA_ROW(CKM_SHA1_RSA_PKCS, MF_RSA_PKCS, HASH_SHA1),
#endif
#if IOT_WITH_SHA224
	RSA_ROW(CKM_SHA224_RSA_PKCS, MF_RSA_PKCS, HASH_SHA224),
#endif
	RSA_ROW(CKM_SHA256_RSA_PKCS, MF_RSA_PKCS, HASH_SHA256),
#if IOT_WITH_SHA384
	RSA_ROW(CKM_SHA384_RSA_PKCS, MF_RSA_PKCS, HASH_SHA384),
	RSA_ROW(CKM_SHA512_RSA_PKCS, MF_RSA_PKCS, HASH_SHA512),
#endif

	RSA_ROW(CKM_RSA_PKCS_PSS, MF_RSA_PSS, MECH_NO_HASH),
#if IOT_WITH_SHA1
	RSA_ROW(CKM_SHA1_RSA_PKCS_PSS, MF_RSA_PSS, HASH_SHA1),
#endif
#if IOT_WITH_SHA224
	RSA_ROW(CKM_SHA224_RSA_PKCS_PSS, MF_RSA_PSS, HASH_SHA224),
#endif
	RSA_ROW(CKM_SHA256_RSA_PKCS_PSS, MF_RSA_PSS, HASH_SHA256),
#if IOT_WITH_SHA384
	RSA_ROW(CKM_SHA384_RSA_PKCS_PSS, MF_RSA_PSS, HASH_SHA384),
	RSA_ROW(CKM_SHA512_RSA_PKCS_PSS, MF_RSA_PSS, HASH_SHA512),
#endif
#endif

#if IOT_WITH_AES
	{ CKM_AES_KEY_GEN, 16, 32, MECH_F(CKF_GENERATE), MF_AES_GEN, MECH_NO_HASH },
	{ CKM_AES_ECB, 16, 32, MECH_F(ED), MF_AES_ECB, MECH_NO_HASH },
	{ CKM_AES_CBC, 16, 32, MECH_F(ED), MF_AES_CBC, MECH_NO_HASH },
	{ CKM_AES_CBC_PAD, 16, 32, MECH_F(ED | WU), MF_AES_CBC_PAD, MECH_NO_HASH },
	{ CKM_AES_CTR, 16, 32, MECH_F(ED), MF_AES_CTR, MECH_NO_HASH },
	{ CKM_AES_GCM, 16, 32, MECH_F(ED), MF_AES_GCM, MECH_NO_HASH },
	{ CKM_AES_KEY_WRAP, 16, 32, MECH_F(ED | WU), MF_AES_KW, MECH_NO_HASH },
	{ CKM_AES_KEY_WRAP_PAD, 16, 32, MECH_F(ED | WU), MF_AES_KWP, MECH_NO_HASH },
	{ CKM_AES_CMAC, 16, 32, MECH_F(SV), MF_CMAC, MECH_NO_HASH },
	{ CKM_AES_CMAC_GENERAL, 16, 32, MECH_F(SV), MF_CMAC_GENERAL, MECH_NO_HASH },
#endif

#if IOT_WITH_HMAC
	{ CKM_GENERIC_SECRET_KEY_GEN, 8, 32768, MECH_F(CKF_GENERATE), MF_SECRET_GEN, MECH_NO_HASH },
#if IOT_WITH_SHA1
	HMAC_ROW(CKM_SHA_1_HMAC, MF_HMAC, HASH_SHA1, 10),
	HMAC_ROW(CKM_SHA_1_HMAC_GENERAL, MF_HMAC_GENERAL, HASH_SHA1, 10),
#endif
#if IOT_WITH_SHA224
	HMAC_ROW(CKM_SHA224_HMAC, MF_HMAC, HASH_SHA224, 14),
	HMAC_ROW(CKM_SHA224_HMAC_GENERAL, MF_HMAC_GENERAL, HASH_SHA224, 14),
#endif
	HMAC_ROW(CKM_SHA256_HMAC, MF_HMAC, HASH_SHA256, 16),
	HMAC_ROW(CKM_SHA256_HMAC_GENERAL, MF_HMAC_GENERAL, HASH_SHA256, 16),
#if IOT_WITH_SHA384
	HMAC_ROW(CKM_SHA384_HMAC, MF_HMAC, HASH_SHA384, 24),
	HMAC_ROW(CKM_SHA384_HMAC_GENERAL, MF_HMAC_GENERAL, HASH_SHA384, 24),
	HMAC_ROW(CKM_SHA512_HMAC, MF_HMAC, HASH_SHA512, 32),
	HMAC_ROW(CKM_SHA512_HMAC_GENERAL, MF_HMAC_GENERAL, HASH_SHA512, 32),
#endif
#endif

#if IOT_WITH_OAEP
	{ CKM_RSA_PKCS_OAEP, RSA_MIN, RSA_MAX, MECH_F(ED | WU), MF_RSA_OAEP, MECH_NO_HASH },
#endif
#if IOT_WITH_ED25519
	{ CKM_EC_EDWARDS_KEY_PAIR_GEN, 255, 255, MECH_F(CKF_GENERATE_KEY_PAIR), MF_ED_GEN,
	  MECH_NO_HASH },
	{ CKM_EDDSA, 255, 255, MECH_F(SV), MF_EDDSA, MECH_NO_HASH },
#endif
#if IOT_WITH_ECDH
	{ CKM_ECDH1_DERIVE, EC_MIN, EC_MAX, MECH_F(CKF_DERIVE | EC_FLAGS), MF_ECDH, MECH_NO_HASH },
	{ CKM_ECDH1_COFACTOR_DERIVE, EC_MIN, EC_MAX, MECH_F(CKF_DERIVE | EC_FLAGS), MF_ECDH,
	  MECH_NO_HASH },
#endif
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

const mech_row *mech_find(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (rows[i].type == type)
			return &rows[i];
	return NULL;
}

const mech_row *mech_all(size_t *count)
{
	*count = NROWS;
	return rows;
}

/* Whether a hash is compiled in (iotoken/defaults.h). */
static int hash_built(int h)
{
	switch (h) {
	case HASH_SHA1:
		return IOT_WITH_SHA1;
	case HASH_SHA224:
		return IOT_WITH_SHA224;
	case HASH_SHA384:
	case HASH_SHA512:
		return IOT_WITH_SHA384;
	default:
		return 1;
	}
}

static int hash_of(CK_MECHANISM_TYPE type)
{
	switch (type) {
	case CKM_SHA_1:
		return HASH_SHA1;
	case CKM_SHA224:
		return HASH_SHA224;
	case CKM_SHA256:
		return HASH_SHA256;
	case CKM_SHA384:
		return HASH_SHA384;
	case CKM_SHA512:
		return HASH_SHA512;
	default:
		return -1;
	}
}

int mech_hash_of(CK_MECHANISM_TYPE type)
{
	int h = hash_of(type);

	return h >= 0 && hash_built(h) ? h : -1;
}

static int mgf_of(CK_RSA_PKCS_MGF_TYPE mgf)
{
	switch (mgf) {
	case CKG_MGF1_SHA1:
		return HASH_SHA1;
	case CKG_MGF1_SHA224:
		return HASH_SHA224;
	case CKG_MGF1_SHA256:
		return HASH_SHA256;
	case CKG_MGF1_SHA384:
		return HASH_SHA384;
	case CKG_MGF1_SHA512:
		return HASH_SHA512;
	default:
		return -1;
	}
}

int mech_mgf_of(CK_RSA_PKCS_MGF_TYPE mgf)
{
	int h = mgf_of(mgf);

	return h >= 0 && hash_built(h) ? h : -1;
}
