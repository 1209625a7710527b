/*
 * The stored object record: codec_decode (src/store/codec.c) and
 * object_decode (src/core/object.c) on arbitrary bytes, then what the token
 * does with a record it loaded (object_unseal with a fixed master key,
 * object_encode, object_clone, object_matches, object_size).
 *
 * Each input is decoded twice: as given (so the checksum mostly fails),
 * then with the right checksum put where it belongs (its last 16 bytes, or
 * the 16 before the 32-byte MAC when the header's flags announce one; codec.h),
 * which takes the fuzzer past the check into the structure. A record that
 * decodes and opens must encode, and its encoding must decode and open to
 * the same values. The MAC of a private record cannot be forged here (it
 * is keyed by the master key): a changed private record fails object_unseal.
 *
 * Seeds: records of every object kind, private ones sealed under the fixed
 * key; FUZZ_RECORD_SEEDS=<dir> makes the target write them there and exit
 * (fuzz/gen_corpus.py runs it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/object.h"
#include "crypto/crypto.h"
#include "fuzz_common.h"
#include "fuzz_data.h"
#include "store/codec.h"
#include "store/seal.h"

#define RECORD_ID 0x1234
#define CHECK_LEN 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t tmk[SEAL_TMK_LEN] = "fuzz-record token master key...";

static CK_RV count_attr(void *ctx, const codec_attr *a)
{
	size_t *n = ctx;

	/* Values point into the record: touch every byte. */
	if (a->len > 0 && (a->value[0] | a->value[a->len - 1]) == 0x100)
		return CKR_GENERAL_ERROR;
	(*n)++;
	return CKR_OK;
}

static void same_values(const object *a, const object *b)
{
	size_t i;

	if (a->kind != b->kind || a->n != b->n)
		fz_die("re-decoded record: other kind or number of values");
	for (i = 0; i < a->n; i++) {
		const obj_value *x = &a->v[i], *y = &b->v[i];

		if (x->len != y->len || (x->value == NULL) != (y->value == NULL) ||
		    (x->len > 0 && x->value != NULL && memcmp(x->value, y->value, x->len) != 0))
			fz_die("re-decoded record: value of 0x%lx differs",
			       (unsigned long)a->rules[i]->type);
	}
}

/* What the token does with a loaded record. */
static void use(object *obj)
{
	uint8_t *rec = NULL;
	size_t len = 0;
	object *again = NULL, *copy = NULL;
	CK_ATTRIBUTE tmpl[2];
	CK_RV opened;

	(void)object_size(obj);
	if (object_clone(obj, &copy) == CKR_OK)
		object_free(copy);
	opened = object_unseal(obj, tmk);
	/* Its own class and label match it. */
	tmpl[0].type = CKA_CLASS;
	tmpl[0].pValue = object_value(obj, CKA_CLASS)->value;
	tmpl[0].ulValueLen = object_value(obj, CKA_CLASS)->len;
	tmpl[1].type = CKA_LABEL;
	tmpl[1].pValue = object_value(obj, CKA_LABEL)->value;
	tmpl[1].ulValueLen = object_value(obj, CKA_LABEL)->len;
	if (!object_matches(obj, tmpl, 2))
		fz_die("a loaded object does not match its own class and label");
	if (object_encode(obj, tmk, &rec, &len) != CKR_OK) {
		if (opened == CKR_OK)
			fz_die("an opened record does not encode");
		object_lock(obj);
		return;
	}
	if (object_decode(RECORD_ID, rec, len, &again) != CKR_OK)
		fz_die("an encoded record does not decode");
	if (opened == CKR_OK) {
		if (object_unseal(again, tmk) != CKR_OK)
			fz_die("a re-encoded record does not open");
		same_values(obj, again);
	}
	object_free(again);
	port_free_secret(rec, len);
	object_lock(obj);
}

static void decode(const uint8_t *data, size_t size)
{
	object *obj = NULL;
	size_t n = 0;

	(void)codec_decode(data, size, count_attr, &n);
	if (object_decode(RECORD_ID, data, size, &obj) == CKR_OK) {
		use(obj);
		object_free(obj);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t digest[CRYPTO_SHA256_LEN];
	uint8_t *copy;

	copy = fz_dup(data, size);
	decode(copy, size);
	if (size >= 12 + CHECK_LEN) {
		size_t trailer = CHECK_LEN;

		if ((copy[6] & CODEC_F_MAC) && size >= 12 + CHECK_LEN + CODEC_MAC_LEN)
			trailer += CODEC_MAC_LEN;
		fz_expect(crypto_sha256(copy, size - trailer, digest), CKR_OK, "sha256");
		memcpy(copy + size - trailer, digest, CHECK_LEN);
		decode(copy, size);
	}
	free(copy);
	return 0;
}

/* ---- Seeds ---- */

static CK_OBJECT_CLASS c_data = CKO_DATA, c_cert = CKO_CERTIFICATE, c_pub = CKO_PUBLIC_KEY,
		       c_priv = CKO_PRIVATE_KEY, c_secret = CKO_SECRET_KEY;
static CK_KEY_TYPE k_ec = CKK_EC, k_rsa = CKK_RSA, k_generic = CKK_GENERIC_SECRET, k_aes = CKK_AES;
static CK_CERTIFICATE_TYPE x509 = CKC_X_509;
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static const uint8_t p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static uint8_t big[256], half[128], aes[32];
static const uint8_t f4[] = { 0x01, 0x00, 0x01 };

#define A(t, v)                              \
	{                                    \
		(t), (void *)&(v), sizeof(v) \
	}
#define AB(t, p, n)                   \
	{                             \
		(t), (void *)(p), (n) \
	}

static void seed(const char *dir, const char *name, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	char path[1024];
	object *obj = NULL;
	uint8_t *rec = NULL;
	size_t len = 0;
	FILE *f;

	fz_expect(object_create(t, n, OBJ_CREATE_INTERNAL, &obj), CKR_OK, name);
	obj->id = RECORD_ID;
	fz_expect(object_encode(obj, tmk, &rec, &len), CKR_OK, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(rec, 1, len, f) != len || fclose(f) != 0)
		fz_die("cannot write %s", path);
	port_free_secret(rec, len);
	object_free(obj);
}

static void write_seeds(const char *dir)
{
	const CK_ATTRIBUTE data_pub[] = {
		A(CKA_CLASS, c_data),          A(CKA_TOKEN, yes),
		AB(CKA_LABEL, "label", 5),     AB(CKA_VALUE, "value", 5),
		AB(CKA_APPLICATION, "app", 3),
	};
	const CK_ATTRIBUTE data_priv[] = {
		A(CKA_CLASS, c_data),
		A(CKA_TOKEN, yes),
		A(CKA_PRIVATE, yes),
		AB(CKA_VALUE, "secret value", 12),
	};
	const CK_ATTRIBUTE cert[] = {
		A(CKA_CLASS, c_cert),
		A(CKA_CERTIFICATE_TYPE, x509),
		A(CKA_TOKEN, yes),
		AB(CKA_VALUE, fz_cert_der, sizeof(fz_cert_der)),
		AB(CKA_SUBJECT, "subj", 4),
		AB(CKA_ID, "\x01", 1),
		AB(CKA_START_DATE, "20240101", 8),
	};
	const CK_ATTRIBUTE ec_pub[] = {
		A(CKA_CLASS, c_pub),
		A(CKA_KEY_TYPE, k_ec),
		A(CKA_TOKEN, yes),
		AB(CKA_EC_PARAMS, p256, sizeof(p256)),
		AB(CKA_EC_POINT, fz_ec_point, sizeof(fz_ec_point)),
		A(CKA_VERIFY, yes),
	};
	const CK_ATTRIBUTE ec_priv[] = {
		A(CKA_CLASS, c_priv),
		A(CKA_KEY_TYPE, k_ec),
		A(CKA_TOKEN, yes),
		AB(CKA_EC_PARAMS, p256, sizeof(p256)),
		AB(CKA_VALUE, fz_ec_scalar, sizeof(fz_ec_scalar)),
		A(CKA_SIGN, yes),
		A(CKA_EXTRACTABLE, no),
	};
	const CK_ATTRIBUTE rsa_pub[] = {
		A(CKA_CLASS, c_pub),
		A(CKA_KEY_TYPE, k_rsa),
		A(CKA_TOKEN, yes),
		AB(CKA_MODULUS, big, 256),
		AB(CKA_PUBLIC_EXPONENT, f4, sizeof(f4)),
	};
	const CK_ATTRIBUTE rsa_priv[] = {
		A(CKA_CLASS, c_priv),
		A(CKA_KEY_TYPE, k_rsa),
		A(CKA_TOKEN, yes),
		AB(CKA_MODULUS, big, 256),
		AB(CKA_PUBLIC_EXPONENT, f4, sizeof(f4)),
		AB(CKA_PRIVATE_EXPONENT, big, 256),
		AB(CKA_PRIME_1, half, 128),
		AB(CKA_PRIME_2, half, 128),
	};
	const CK_ATTRIBUTE secret[] = {
		A(CKA_CLASS, c_secret),
		A(CKA_KEY_TYPE, k_generic),
		A(CKA_TOKEN, yes),
		AB(CKA_VALUE, aes, 16),
	};
	const CK_ATTRIBUTE aes_key[] = {
		A(CKA_CLASS, c_secret), A(CKA_KEY_TYPE, k_aes), A(CKA_TOKEN, yes),
		A(CKA_PRIVATE, no),     AB(CKA_VALUE, aes, 32),
	};

	memset(big, 0xb5, sizeof(big));
	memset(half, 0x6b, sizeof(half));
	memset(aes, 0x3c, sizeof(aes));
#define SEED(name, t) seed(dir, name, t, sizeof(t) / sizeof((t)[0]))
	SEED("data_public", data_pub);
	SEED("data_private", data_priv);
	SEED("cert_x509", cert);
	SEED("ec_public", ec_pub);
	SEED("ec_private", ec_priv);
	SEED("rsa_public", rsa_pub);
	SEED("rsa_private", rsa_priv);
	SEED("secret_generic", secret);
	SEED("secret_aes_public", aes_key);
#undef SEED
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_RECORD_SEEDS");

	(void)argc;
	(void)argv;
	if (dir != NULL && *dir != '\0') {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}
