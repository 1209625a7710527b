/* The attribute schema table (see attr.h). PKCS#11 v2.40 sections 4.4-4.10
 * and the key type sections of the mechanisms document. */
#include <string.h>

#include "core/attr.h"
#include "core/attr_array.h"

#define K(k) (1u << KIND_##k)
#define K_ALL ((1u << KIND_COUNT) - 1u)
#if IOT_WITH_ED25519
#define K_ED_PUB K(PUB_ED)
#define K_ED_PRIV K(PRIV_ED)
#else
#define K_ED_PUB 0u
#define K_ED_PRIV 0u
#endif
#define K_PUB (K(PUB_EC) | K(PUB_RSA) | K_ED_PUB)
#define K_PRIV (K(PRIV_EC) | K(PRIV_RSA) | K_ED_PRIV)
#define K_SECRET (K(SECRET_GENERIC) | K(SECRET_AES))
#define K_KEY (K_PUB | K_PRIV | K_SECRET)
#define K_STORE_PUBLIC (K(DATA) | K(CERT_X509) | K_PUB)

#define MOD A_MODIFIABLE

static const attr_rule rules[] = {
	/* Common to all storage objects (section 4.4). The class and key type
	 * are required for every object; create handles them first. */
	{ CKA_CLASS, K_ALL, FORM_ULONG, A_REQUIRED, 0 },
	{ CKA_TOKEN, K_ALL, FORM_BOOL, A_COPY, CK_FALSE },
	{ CKA_PRIVATE, K_STORE_PUBLIC, FORM_BOOL, A_COPY, CK_FALSE },
	/* Secure default: keys that hold secrets are private unless told. */
	{ CKA_PRIVATE, K_PRIV | K_SECRET, FORM_BOOL, A_COPY, CK_TRUE },
	{ CKA_MODIFIABLE, K_ALL, FORM_BOOL, A_COPY, CK_TRUE },
	{ CKA_LABEL, K_ALL, FORM_BYTES, MOD, 0 },
	{ CKA_COPYABLE, K_ALL, FORM_BOOL, MOD | A_TO_FALSE | A_COPY, CK_TRUE },
	{ CKA_DESTROYABLE, K_ALL, FORM_BOOL, MOD | A_TO_FALSE | A_COPY, CK_TRUE },

	/* Data objects (4.5). */
	{ CKA_APPLICATION, K(DATA), FORM_BYTES, MOD, 0 },
	{ CKA_OBJECT_ID, K(DATA), FORM_BYTES, MOD, 0 },
	{ CKA_VALUE, K(DATA), FORM_BYTES, MOD | A_SEAL, 0 },

	/* Certificates (4.6) and X.509 certificates (4.6.3). */
	{ CKA_CERTIFICATE_TYPE, K(CERT_X509), FORM_ULONG, A_REQUIRED, 0 },
	{ CKA_TRUSTED, K(CERT_X509), FORM_BOOL, MOD | A_SO_ONLY, CK_FALSE },
	{ CKA_CERTIFICATE_CATEGORY, K(CERT_X509), FORM_ULONG, 0, 0 },
	{ CKA_START_DATE, K(CERT_X509) | K_KEY, FORM_DATE, MOD, 0 },
	{ CKA_END_DATE, K(CERT_X509) | K_KEY, FORM_DATE, MOD, 0 },
	{ CKA_PUBLIC_KEY_INFO, K(CERT_X509) | K_PUB | K_PRIV, FORM_BYTES, 0, 0 },
	{ CKA_SUBJECT, K(CERT_X509), FORM_BYTES, MOD, 0 }, /* else from the DER */
	{ CKA_ID, K(CERT_X509) | K_KEY, FORM_BYTES, MOD, 0 },
	{ CKA_ISSUER, K(CERT_X509), FORM_BYTES, MOD, 0 },
	{ CKA_SERIAL_NUMBER, K(CERT_X509), FORM_BYTES, MOD, 0 },
	{ CKA_VALUE, K(CERT_X509), FORM_BYTES, A_REQUIRED | A_SEAL, 0 },
	{ CKA_URL, K(CERT_X509), FORM_BYTES, 0, 0 },
	{ CKA_HASH_OF_SUBJECT_PUBLIC_KEY, K(CERT_X509), FORM_BYTES, 0, 0 },
	{ CKA_HASH_OF_ISSUER_PUBLIC_KEY, K(CERT_X509), FORM_BYTES, 0, 0 },
	{ CKA_JAVA_MIDP_SECURITY_DOMAIN, K(CERT_X509), FORM_ULONG, 0, 0 },
	{ CKA_NAME_HASH_ALGORITHM, K(CERT_X509), FORM_ULONG, 0, CKM_SHA_1 },

	/* Keys (4.7). */
	{ CKA_KEY_TYPE, K_KEY, FORM_ULONG, A_REQUIRED, 0 },
	{ CKA_DERIVE, K_KEY, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_LOCAL, K_KEY, FORM_BOOL, A_COMPUTED, CK_FALSE },
	{ CKA_KEY_GEN_MECHANISM, K_KEY, FORM_ULONG, A_COMPUTED, ATTR_DEF_UNAVAILABLE },
	{ ATTR_ARRAY(CKA_ALLOWED_MECHANISMS), K_KEY, FORM_ULONGS, 0, 0 },

	/* Public keys (4.8). */
	{ CKA_SUBJECT, K_PUB | K_PRIV, FORM_BYTES, MOD, 0 },
	{ CKA_ENCRYPT, K_PUB | K_SECRET, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_VERIFY, K_PUB, FORM_BOOL, MOD, CK_TRUE },
	{ CKA_VERIFY, K_SECRET, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_VERIFY_RECOVER, K_PUB, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_WRAP, K_PUB | K_SECRET, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_TRUSTED, K_PUB | K_SECRET, FORM_BOOL, MOD | A_SO_ONLY, CK_FALSE },

	/* Private keys (4.9) and secret keys (4.10). */
	{ CKA_SENSITIVE, K_PRIV | K_SECRET, FORM_BOOL, MOD | A_TO_TRUE, CK_TRUE },
	{ CKA_DECRYPT, K_PRIV | K_SECRET, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_SIGN, K_PRIV, FORM_BOOL, MOD, CK_TRUE },
	{ CKA_SIGN, K_SECRET, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_SIGN_RECOVER, K_PRIV, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_UNWRAP, K_PRIV | K_SECRET, FORM_BOOL, MOD, CK_FALSE },
	{ CKA_EXTRACTABLE, K_PRIV | K_SECRET, FORM_BOOL, MOD | A_TO_FALSE, CK_FALSE },
	{ CKA_ALWAYS_SENSITIVE, K_PRIV | K_SECRET, FORM_BOOL, A_COMPUTED, CK_FALSE },
	{ CKA_NEVER_EXTRACTABLE, K_PRIV | K_SECRET, FORM_BOOL, A_COMPUTED, CK_FALSE },
	{ CKA_WRAP_WITH_TRUSTED, K_PRIV | K_SECRET, FORM_BOOL, MOD | A_TO_TRUE, CK_FALSE },
	{ CKA_ALWAYS_AUTHENTICATE, K_PRIV, FORM_BOOL, 0, CK_FALSE },

	/* EC keys (mechanisms 2.3.3, 2.3.4). CKA_EC_POINT on the private key
	 * is an extension clients rely on (INTEROP.md). */
	{ CKA_EC_PARAMS, K(PUB_EC) | K(PRIV_EC), FORM_BYTES, A_REQUIRED, 0 },
	{ CKA_EC_POINT, K(PUB_EC), FORM_BYTES, A_REQUIRED, 0 },
	{ CKA_EC_POINT, K(PRIV_EC), FORM_BYTES, 0, 0 },
	{ CKA_VALUE, K(PRIV_EC), FORM_BYTES, A_REQUIRED | A_SECRET | A_SEAL, 0 },

#if IOT_WITH_ED25519
	/* Edwards keys (3.0 mechanisms 2.3.5, 2.3.6): CKA_EC_PARAMS names
	 * Ed25519, CKA_EC_POINT is the DER OCTET STRING of the 32-byte public
	 * key (also on the private key, as for EC), CKA_VALUE the 32-byte
	 * private key (RFC 8032's seed). */
	{ CKA_EC_PARAMS, K_ED_PUB | K_ED_PRIV, FORM_BYTES, A_REQUIRED, 0 },
	{ CKA_EC_POINT, K_ED_PUB, FORM_BYTES, A_REQUIRED, 0 },
	{ CKA_EC_POINT, K_ED_PRIV, FORM_BYTES, 0, 0 },
	{ CKA_VALUE, K_ED_PRIV, FORM_BYTES, A_REQUIRED | A_SECRET | A_SEAL, 0 },
#endif

	/* RSA keys (mechanisms 2.1.2, 2.1.3). */
	{ CKA_MODULUS, K(PUB_RSA) | K(PRIV_RSA), FORM_BYTES, A_REQUIRED, 0 },
	{ CKA_MODULUS_BITS, K(PUB_RSA), FORM_ULONG, A_NO_CREATE, 0 },
	{ CKA_PUBLIC_EXPONENT, K(PUB_RSA), FORM_BYTES, A_REQUIRED, 0 },
	{ CKA_PUBLIC_EXPONENT, K(PRIV_RSA), FORM_BYTES, 0, 0 },
	{ CKA_PRIVATE_EXPONENT, K(PRIV_RSA), FORM_BYTES, A_REQUIRED | A_SECRET | A_SEAL, 0 },
	{ CKA_PRIME_1, K(PRIV_RSA), FORM_BYTES, A_SECRET | A_SEAL, 0 },
	{ CKA_PRIME_2, K(PRIV_RSA), FORM_BYTES, A_SECRET | A_SEAL, 0 },
	{ CKA_EXPONENT_1, K(PRIV_RSA), FORM_BYTES, A_SECRET | A_SEAL, 0 },
	{ CKA_EXPONENT_2, K(PRIV_RSA), FORM_BYTES, A_SECRET | A_SEAL, 0 },
	{ CKA_COEFFICIENT, K(PRIV_RSA), FORM_BYTES, A_SECRET | A_SEAL, 0 },

/* Templates a key imposes on the keys it wraps, unwraps, derives
	 * (v2.40 4.8-4.10; one level: SECURITY.md row 13). */
#if ATTR_WITH_ARRAYS
	{ ATTR_ARRAY(CKA_WRAP_TEMPLATE), K_PUB | K_SECRET, FORM_ATTRS, 0, 0 },
	{ ATTR_ARRAY(CKA_UNWRAP_TEMPLATE), K_PRIV | K_SECRET, FORM_ATTRS, 0, 0 },
	{ ATTR_ARRAY(CKA_DERIVE_TEMPLATE), K_KEY, FORM_ATTRS, 0, 0 },
#endif

	/* Generic secret and AES keys (mechanisms 2.8, 2.9). */
	{ CKA_VALUE, K_SECRET, FORM_BYTES, A_REQUIRED | A_SECRET | A_SEAL, 0 },
	{ CKA_VALUE_LEN, K_SECRET, FORM_ULONG, A_NO_CREATE, 0 },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/* Per kind, pointers to its rules: built once, read-only afterwards. */
static const attr_rule *by_kind[KIND_COUNT][NRULES];
static size_t by_kind_count[KIND_COUNT];
static int built;

static void build(void)
{
	size_t i;
	int k;

	/* Idempotent and writes the same values each time, so two threads
	 * racing here at the first C_Initialize agree; C_Initialize is
	 * serialized anyway. */
	if (built)
		return;
	for (k = 0; k < KIND_COUNT; k++) {
		by_kind_count[k] = 0;
		for (i = 0; i < NRULES; i++)
			if (rules[i].kinds & (1u << k))
				by_kind[k][by_kind_count[k]++] = &rules[i];
	}
	built = 1;
}

const attr_rule *attr_rule_find(enum obj_kind kind, CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	build();
	for (i = 0; i < by_kind_count[kind]; i++)
		if (attr_rule_type(by_kind[kind][i]) == type)
			return by_kind[kind][i];
	return NULL;
}

const attr_rule *const *attr_rules_of(enum obj_kind kind, size_t *count)
{
	build();
	*count = by_kind_count[kind];
	return by_kind[kind];
}

CK_RV attr_kind(CK_OBJECT_CLASS cls, CK_KEY_TYPE key_type, enum obj_kind *out)
{
	switch (cls) {
	case CKO_DATA:
		*out = KIND_DATA;
		return CKR_OK;
	case CKO_CERTIFICATE:
		*out = KIND_CERT_X509;
		return CKR_OK;
	case CKO_PUBLIC_KEY:
		if (key_type == CKK_EC || key_type == CKK_RSA) {
			*out = key_type == CKK_EC ? KIND_PUB_EC : KIND_PUB_RSA;
			return CKR_OK;
		}
#if IOT_WITH_ED25519
		if (key_type == CKK_EC_EDWARDS) {
			*out = KIND_PUB_ED;
			return CKR_OK;
		}
#endif
		break;
	case CKO_PRIVATE_KEY:
		if (key_type == CKK_EC || key_type == CKK_RSA) {
			*out = key_type == CKK_EC ? KIND_PRIV_EC : KIND_PRIV_RSA;
			return CKR_OK;
		}
#if IOT_WITH_ED25519
		if (key_type == CKK_EC_EDWARDS) {
			*out = KIND_PRIV_ED;
			return CKR_OK;
		}
#endif
		break;
	case CKO_SECRET_KEY:
		if (key_type == CKK_GENERIC_SECRET || key_type == CKK_AES) {
			*out = key_type == CKK_AES ? KIND_SECRET_AES : KIND_SECRET_GENERIC;
			return CKR_OK;
		}
		break;
	default:
		break;
	}
	return CKR_ATTRIBUTE_VALUE_INVALID;
}

static int is_digits(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

CK_RV attr_value_check(const attr_rule *r, const void *v, CK_ULONG len)
{
	if (len > 0 && v == NULL)
		return CKR_ARGUMENTS_BAD;
	switch (r->form) {
	case FORM_BOOL:
		if (len != sizeof(CK_BBOOL) || *(const CK_BBOOL *)v > 1)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		return CKR_OK;
	case FORM_ULONG:
		return len == sizeof(CK_ULONG) ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case FORM_DATE:
		/* CK_DATE: "YYYYMMDD" as characters, or empty. */
		if (len == 0 || (len == sizeof(CK_DATE) && is_digits(v, len)))
			return CKR_OK;
		return CKR_ATTRIBUTE_VALUE_INVALID;
	case FORM_ULONGS:
		if (len % sizeof(CK_ULONG) != 0 || len > ATTR_MAX_VALUE)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		return CKR_OK;
	case FORM_BYTES:
		return len <= ATTR_MAX_VALUE ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case FORM_ATTRS:
		/* The entries themselves are checked as they are kept
		 * (attrs_encode). */
		if (len % sizeof(CK_ATTRIBUTE) != 0 ||
		    len / sizeof(CK_ATTRIBUTE) > ATTR_MAX_TEMPLATE)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		return CKR_OK;
	}
	return CKR_ATTRIBUTE_VALUE_INVALID;
}

CK_BBOOL attr_bool(const void *v)
{
	return *(const CK_BBOOL *)v ? CK_TRUE : CK_FALSE;
}

CK_ULONG attr_ulong(const void *v)
{
	CK_ULONG x;

	memcpy(&x, v, sizeof(x));
	return x;
}
