/* The mechanism table (see mech.h): exactly what works, nothing more. */
#include "core/mech.h"

#define EC_FLAGS (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)
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

/* One RSA signature mechanism: PKCS#1 v1.5 or PSS, over a hash or raw. */
#define RSA_ROW(type, family, hash)                      \
	{                                                \
		type, RSA_MIN, RSA_MAX, SV, family, hash \
	}

static const mech_row rows[] = {
#if IOT_WITH_SHA1
	{ CKM_SHA_1, 0, 0, CKF_DIGEST, MF_DIGEST, HASH_SHA1 },
#endif
#if IOT_WITH_SHA224
	{ CKM_SHA224, 0, 0, CKF_DIGEST, MF_DIGEST, HASH_SHA224 },
#endif
	{ CKM_SHA256, 0, 0, CKF_DIGEST, MF_DIGEST, HASH_SHA256 },
#if IOT_WITH_SHA384
	{ CKM_SHA384, 0, 0, CKF_DIGEST, MF_DIGEST, HASH_SHA384 },
	{ CKM_SHA512, 0, 0, CKF_DIGEST, MF_DIGEST, HASH_SHA512 },
#endif

	{ CKM_EC_KEY_PAIR_GEN, 256, EC_MAX, CKF_GENERATE_KEY_PAIR | EC_FLAGS, MF_EC_GEN,
	  MECH_NO_HASH },
#if IOT_WITH_RSA_KEYGEN
	{ CKM_RSA_PKCS_KEY_PAIR_GEN, 2048, 4096, CKF_GENERATE_KEY_PAIR, MF_RSA_GEN, MECH_NO_HASH },
#endif

	{ CKM_ECDSA, 256, EC_MAX, SV | EC_FLAGS, MF_ECDSA, MECH_NO_HASH },
#if IOT_WITH_SHA1
	{ CKM_ECDSA_SHA1, 256, EC_MAX, SV | EC_FLAGS, MF_ECDSA, HASH_SHA1 },
#endif
#if IOT_WITH_SHA224
	{ CKM_ECDSA_SHA224, 256, EC_MAX, SV | EC_FLAGS, MF_ECDSA, HASH_SHA224 },
#endif
	{ CKM_ECDSA_SHA256, 256, EC_MAX, SV | EC_FLAGS, MF_ECDSA, HASH_SHA256 },
#if IOT_WITH_SHA384
	{ CKM_ECDSA_SHA384, 256, EC_MAX, SV | EC_FLAGS, MF_ECDSA, HASH_SHA384 },
	{ CKM_ECDSA_SHA512, 256, EC_MAX, SV | EC_FLAGS, MF_ECDSA, HASH_SHA512 },
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
