/*
 * ctgrind-style check (SECURITY.md rows 16 and 38; Monocypher's ctgrind.c):
 * secrets are marked undefined for valgrind's memcheck, which then reports
 * every conditional jump, and every memory address, that depends on them.
 * Run under valgrind (tests/valgrind/run.sh, CI), our code must give no such
 * report: the PIN check and the tag and checksum comparisons do not branch on
 * secrets. Run natively, the VALGRIND_* requests do nothing and the program
 * only checks the results.
 *
 * What is secret here:
 *   - the two inputs of port_ct_equal (src/port/wipe.c), the one compare
 *     helper (codec record checksums, RSA encoding check);
 *   - the key given to seal_tmk_unwrap and seal_attr_open (src/store/seal.c):
 *     AES-256-GCM opening, whose tag comparison OpenSSL does with
 *     CRYPTO_memcmp;
 *   - the ciphertext of an AES-CBC_PAD decryption, so its padding
 *     (sym_shared.h's unpad: masks, no branch; the verdict and the length
 *     are declassified where they are returned);
 *   - the PIN given to C_Login (src/core/pin.c: PBKDF2, then unwrapping the
 *     master key; the master key and the private values it opens are then
 *     undefined too, so object_unseal is covered as well).
 * The outcome of a comparison is public (a PIN is right or wrong): whoever
 * acts on it must branch on it. For port_ct_equal the caller's branch is ours
 * to declassify (VALGRIND_MAKE_MEM_DEFINED on the result below); inside
 * OpenSSL, the GCM code branches on CRYPTO_memcmp's result, a declassification
 * valgrind reports in libcrypto. tests/ctgrind/ctgrind.supp suppresses
 * reports whose innermost frame is in libcrypto, and only those: a report in
 * our code is never suppressed.
 *
 * `ctgrind --self-test` branches on a secret on purpose: the run script checks
 * that valgrind does report it, so the check cannot pass vacuously.
 *
 * `ctgrind --ecdsa [p256|p224|p384|p521]` (SECURITY.md row 31, constant-time
 * scalar multiplication; P-256 when no curve is named) imports scalars of
 * that curve marked secret (some it must refuse) and signs with one.
 * tests/valgrind/run.sh runs it under valgrind against a copy of this
 * program linked with the static crypto library (Debian's shared libcrypto
 * has no symbols for its internal functions), with the suppressions of
 * tests/ctgrind/ecdsa-openssl.supp: each names one analysed branch of
 * OpenSSL 3.0's signing code outside the scalar multiplication, on a value
 * that is public or on a test whose answer is the same for all but a
 * negligible share of scalars and nonces; any other report fails. iotoken's
 * own code gets no suppression: the import (scalar_import in
 * src/crypto/openssl_ec.c and mbedtls_ec.c) marks public only its verdict
 * and the public point. With VG_ECDSA_CURVES="p224 p521" it also runs P-224
 * and P-521 with tests/ctgrind/ecdsa-openssl-p224.supp / -p521.supp, whose
 * D entries name OpenSSL's known branches on the Jacobian result (not
 * constant time, docs/security.md row 31). P-384 (OpenSSL's generic ladder)
 * has no suppression file. By hand:
 *   VG_PART=ctgrind bash tests/valgrind/run.sh build
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <valgrind/memcheck.h>

#include "iotoken/pkcs11.h"
#include "crypto/crypto.h"
#include "crypto/crypto_sym.h"
#include "port/port.h"
#include "store/seal.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int failures;

#define CHECK(cond)                                                                               \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "ctgrind: %s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                           \
			failures++;                                                               \
		}                                                                                 \
	} while (0)

static int ct_equal_public(const void *a, const void *b, size_t n)
{
	int r = port_ct_equal(a, b, n);

	/* The answer is public; computing it must not branch on a or b. */
	PUBLIC(&r, sizeof(r));
	return r;
}

static void check_ct_equal(void)
{
	uint8_t a[64], b[64];
	size_t n;

	for (n = 0; n < sizeof(a); n++)
		a[n] = b[n] = (uint8_t)(n * 7 + 1);
	for (n = 1; n <= sizeof(a); n *= 2) {
		SECRET(a, sizeof(a));
		SECRET(b, sizeof(b));
		CHECK(ct_equal_public(a, b, n) == 1);
		PUBLIC(a, sizeof(a));
		PUBLIC(b, sizeof(b));
		b[n - 1] ^= 0x10;
		SECRET(a, sizeof(a));
		SECRET(b, sizeof(b));
		CHECK(ct_equal_public(a, b, n) == 0);
		PUBLIC(a, sizeof(a));
		PUBLIC(b, sizeof(b));
		b[n - 1] ^= 0x10;
	}
}

/* AES-256-GCM opening with a secret key: the master-key unwrap (PIN check)
 * and a sealed attribute (the per-object key comes from the master key). */
static void check_seal(void)
{
	uint8_t kek[SEAL_KEK_LEN], tmk[SEAL_TMK_LEN], out[SEAL_TMK_LEN];
	uint8_t wrapped[STORE_WRAPPED_LEN], value[40], sealed[40 + SEAL_OVERHEAD], opened[40];
	static const uint8_t ac[5] = { 1, 2, 3, 4, 5 };
	CK_RV rv;

	memset(kek, 0x11, sizeof(kek));
	memset(tmk, 0x22, sizeof(tmk));
	memset(value, 0x33, sizeof(value));
	CHECK(seal_tmk_wrap(kek, STORE_ROLE_USER, tmk, wrapped) == CKR_OK);
	CHECK(seal_attr(tmk, 7, CKA_VALUE, ac, sizeof(ac), value, sizeof(value), sealed) == CKR_OK);

	/* Right key, then wrong key. */
	SECRET(kek, sizeof(kek));
	rv = seal_tmk_unwrap(kek, STORE_ROLE_USER, wrapped, out);
	CHECK(rv == CKR_OK);
	PUBLIC(kek, sizeof(kek));
	PUBLIC(out, sizeof(out));
	CHECK(memcmp(out, tmk, sizeof(tmk)) == 0);
	kek[5] ^= 1;
	SECRET(kek, sizeof(kek));
	rv = seal_tmk_unwrap(kek, STORE_ROLE_USER, wrapped, out);
	CHECK(rv == CKR_PIN_INCORRECT);
	PUBLIC(kek, sizeof(kek));

	SECRET(tmk, sizeof(tmk));
	rv = seal_attr_open(tmk, 7, CKA_VALUE, ac, sizeof(ac), sealed, sizeof(sealed), opened);
	CHECK(rv == CKR_OK);
	PUBLIC(opened, sizeof(opened));
	CHECK(memcmp(opened, value, sizeof(value)) == 0);
	/* A tampered tag, with the secret key. */
	sealed[sizeof(sealed) - 1] ^= 1;
	rv = seal_attr_open(tmk, 7, CKA_VALUE, ac, sizeof(ac), sealed, sizeof(sealed), opened);
	CHECK(rv == CKR_DEVICE_ERROR);
	PUBLIC(tmk, sizeof(tmk));
}

/* C_Login with the PIN marked secret: PBKDF2, master-key unwrap, and the
 * opening of a private object with the (then secret) master key. */
static void check_login(const char *dir)
{
	static const char so_pin[] = "so-pin-123456", user_pin[] = "user-pin-4321";
	CK_FUNCTION_LIST_PTR p11;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) },
			     { CKA_TOKEN, &yes, sizeof(yes) },
			     { CKA_PRIVATE, &yes, sizeof(yes) },
			     { CKA_VALUE, (void *)"private value", 13 } };
	CK_UTF8CHAR label[32], pin[32];
	CK_SLOT_ID slot = 0;
	CK_ULONG n = 1;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h;
	char conf[4096 + 32];
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/iotoken.conf", dir);
	f = fopen(conf, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fprintf(f, "dir = %s/store\npbkdf2_iterations = 1000\n", dir);
	fclose(f);
	setenv("IOTOKEN_CONF", conf, 1);

	CHECK(C_GetFunctionList(&p11) == CKR_OK);
	CHECK(p11->C_Initialize(NULL) == CKR_OK);
	CHECK(p11->C_GetSlotList(CK_FALSE, &slot, &n) == CKR_OK);
	memset(label, ' ', sizeof(label));
	CHECK(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), label) == CKR_OK);
	CHECK(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) ==
	      CKR_OK);
	CHECK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin)) == CKR_OK);
	CHECK(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin)) == CKR_OK);
	CHECK(p11->C_Logout(s) == CKR_OK);
	CHECK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin)) == CKR_OK);
	CHECK(p11->C_CreateObject(s, t, 4, &h) == CKR_OK);
	CHECK(p11->C_Logout(s) == CKR_OK);

	/* A wrong PIN of the right length, then the right one; the length is
	 * public (it is given as a number). */
	memcpy(pin, user_pin, strlen(user_pin));
	pin[3] ^= 1;
	SECRET(pin, sizeof(pin));
	CHECK(p11->C_Login(s, CKU_USER, pin, strlen(user_pin)) == CKR_PIN_INCORRECT);
	PUBLIC(pin, sizeof(pin));
	pin[3] ^= 1;
	SECRET(pin, sizeof(pin));
	CHECK(p11->C_Login(s, CKU_USER, pin, strlen(user_pin)) == CKR_OK);
	PUBLIC(pin, sizeof(pin));
	CHECK(p11->C_Logout(s) == CKR_OK);
	CHECK(p11->C_Finalize(NULL) == CKR_OK);
}

/* The curves --ecdsa takes, with their order n (big endian, size bytes). */
static const struct ct_curve {
	const char *arg, *name;
	enum crypto_curve c;
	size_t size;
	uint8_t order[66];
} ct_curves[] = {
	{ "p256", "P-256", CURVE_P256, 32, { 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
					     0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51 } },
	{ "p224", "P-224", CURVE_P224, 28, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0x16, 0xa2, 0xe0, 0xb8, 0xf0, 0x3e, 0x13,
					     0xdd, 0x29, 0x45, 0x5c, 0x5c, 0x2a, 0x3d } },
	{ "p384", "P-384", CURVE_P384, 48, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
					     0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a,
					     0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73 } },
	{ "p521", "P-521", CURVE_P521, 66, { 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfa, 0x51, 0x86,
					     0x87, 0x83, 0xbf, 0x2f, 0x96, 0x6b, 0x7f, 0xcc, 0x01,
					     0x48, 0xf7, 0x09, 0xa5, 0xd0, 0x3b, 0xb5, 0xc9, 0xb8,
					     0x89, 0x9c, 0x47, 0xae, 0xbb, 0x6f, 0xb7, 0x1e, 0x91,
					     0x38, 0x64, 0x09 } },
};

/* crypto_ec_private with the len bytes at d secret; the result code is
 * public (it is derived from the verdict the import marks public). */
static crypto_key *import_secret(enum crypto_curve c, uint8_t *d, size_t len, CK_RV want)
{
	crypto_key *k = NULL;
	CK_RV rv;

	SECRET(d, len);
	rv = crypto_ec_private(c, d, len, &k);
	PUBLIC(d, len);
	CHECK(rv == want);
	CHECK((rv == CKR_OK) == (k != NULL));
	return k;
}

/*
 * ECDSA with a secret scalar (SECURITY.md row 31), on one curve (P-256
 * unless another is named): the import, then one signature. The public
 * point and the signature are public; they are declassified before anything
 * else looks at them.
 *
 * The import is also given scalars it must refuse (0, n, n + 1, a value one
 * byte longer than the order whose extra byte is not zero) and accept (n - 1
 * padded with a leading zero byte, one whose first byte is zero), each
 * secret: whether a value is refused is public, but finding out must not
 * branch on it (scalar_import in src/crypto/openssl_ec.c and mbedtls_ec.c).
 * On the way out the program prints how many scalar multiplications and
 * inversions with a secret it made, for tests/valgrind/run.sh's count of the
 * suppressions in the library's scalar-multiplication functions.
 */
static int check_ecdsa(const char *curve)
{
	const struct ct_curve *cv = NULL;
	uint8_t d[67], digest[32], point[1 + 2 * 66], sig[2 * 66];
	crypto_key *k = NULL, *pub = NULL, *other;
	size_t i, n, len = sizeof(point);
	unsigned imports = 0;

	for (i = 0; i < sizeof(ct_curves) / sizeof(ct_curves[0]); i++)
		if (strcmp(curve, ct_curves[i].arg) == 0)
			cv = &ct_curves[i];
	if (cv == NULL) {
		fprintf(stderr, "ctgrind: --ecdsa takes p224, p256, p384 or p521, not %s\n", curve);
		return 2;
	}
	n = cv->size;
	printf("ctgrind --ecdsa: curve %s\n", cv->name);

	/* Refused: 0, n, n + 1, and 2^(8 * size) + 1 written in size + 1
	 * bytes. */
	memset(d, 0, sizeof(d));
	CHECK(import_secret(cv->c, d, n, CKR_ATTRIBUTE_VALUE_INVALID) == NULL);
	memcpy(d, cv->order, n);
	CHECK(import_secret(cv->c, d, n, CKR_ATTRIBUTE_VALUE_INVALID) == NULL);
	d[n - 1]++;
	CHECK(import_secret(cv->c, d, n, CKR_ATTRIBUTE_VALUE_INVALID) == NULL);
	memset(d, 0, sizeof(d));
	d[0] = 1;
	d[n] = 1;
	CHECK(import_secret(cv->c, d, n + 1, CKR_ATTRIBUTE_VALUE_INVALID) == NULL);

	/* Accepted: n - 1 with a leading zero byte (size + 1 bytes), and a
	 * scalar whose first byte is zero. */
	d[0] = 0;
	memcpy(d + 1, cv->order, n);
	d[n]--;
	other = import_secret(cv->c, d, n + 1, CKR_OK);
	imports += other != NULL;
	crypto_key_unref(other);
	memset(d, 0x5a, sizeof(d));
	d[0] = 0;
	other = import_secret(cv->c, d, n, CKR_OK);
	imports += other != NULL;
	crypto_key_unref(other);

	/* The key that signs: 11 37 37 ... (01 11 37 ... for P-521, whose
	 * order's first byte is 01). */
	memset(d, 0x37, sizeof(d));
	d[0] = 0x11;
	if (cv->order[0] < 0x11) {
		d[0] = cv->order[0];
		d[1] = 0x11;
	}
	memset(digest, 0xd1, sizeof(digest));
	k = import_secret(cv->c, d, n, CKR_OK);
	if (k == NULL)
		return 1;
	imports++;
	CHECK(crypto_ec_point(k, point, &len) == CKR_OK && len == 1 + 2 * n);
	PUBLIC(point, sizeof(point));
	CHECK(crypto_ec_public(cv->c, point, 1 + 2 * n, &pub) == CKR_OK);
	VALGRIND_PRINTF("ctgrind --ecdsa: key imported; signing\n");
	CHECK(crypto_sign(k, SIG_ECDSA, NULL, digest, sizeof(digest), sig) == CKR_OK);
	VALGRIND_PRINTF("ctgrind --ecdsa: signed\n");
	PUBLIC(sig, sizeof(sig));
	CHECK(pub != NULL &&
	      crypto_verify(pub, SIG_ECDSA, NULL, digest, sizeof(digest), sig, 2 * n) == CKR_OK);
	crypto_key_unref(pub);
	crypto_key_unref(k);
	/* Each accepted import computes d*G; the signature computes k*G and
	 * k^-1. */
	printf("ctgrind --ecdsa: %u secret scalar multiplications, 1 secret inversion\n",
	       imports + 1);
	printf("ctgrind --ecdsa: %s\n", failures ? "FAILED" : "signed and verified");
	return failures ? 1 : 0;
}

/*
 * CBC_PAD unpadding (SECURITY.md row 38; src/crypto/sym_shared.h): the
 * ciphertext is marked secret, so the decrypted last block and its padding
 * are; a good and a bad padding are decrypted. Only the verdict and the
 * length, which the call returns, are declassified there.
 */
static int check_unpad(void)
{
	static const uint8_t key[16] = { 7 }, iv[16] = { 9 };
	const crypto_aes_params p = { .iv = iv, .iv_len = 16 };
	uint8_t pt[27], ct[32], out[32];
	size_t len = 0, fin = 0;
	crypto_aes *c = NULL;
	CK_RV rv;
	int round;

	memset(pt, 0x5c, sizeof(pt));
	if (crypto_aes_new(AES_CBC_PAD, 1, key, sizeof(key), &p, &c) != CKR_OK ||
	    crypto_aes_update(c, pt, sizeof(pt), ct, &len) != CKR_OK ||
	    crypto_aes_final(c, ct + len, &fin) != CKR_OK || len + fin != sizeof(ct)) {
		printf("FAIL unpad: encryption\n");
		return 1;
	}
	crypto_aes_free(c);
	for (round = 0; round < 2; round++) {
		if (round == 1)
			ct[sizeof(ct) - 1] ^= 0x40; /* a bad padding */
		c = NULL;
		if (crypto_aes_new(AES_CBC_PAD, 0, key, sizeof(key), &p, &c) != CKR_OK) {
			printf("FAIL unpad: context\n");
			return 1;
		}
		SECRET(ct, sizeof(ct));
		rv = crypto_aes_update(c, ct, sizeof(ct), out, &len);
		if (rv == CKR_OK)
			rv = crypto_aes_final(c, out + len, &fin);
		PUBLIC(&rv, sizeof(rv));
		PUBLIC(ct, sizeof(ct));
		crypto_aes_free(c);
		if (round == 0 && (rv != CKR_OK || len + fin != sizeof(pt))) {
			printf("FAIL unpad: good padding refused\n");
			return 1;
		}
		if (round == 1 && rv != CKR_ENCRYPTED_DATA_INVALID) {
			printf("FAIL unpad: bad padding accepted\n");
			return 1;
		}
	}
	printf("unpad: good and bad padding decided\n");
	return 0;
}

/* Branches on a secret: valgrind must report this one. */
static int self_test(void)
{
	volatile uint8_t x = 1;
	uint8_t y;

	SECRET((void *)&x, 1);
	y = x;
	if (y == 1)
		printf("ctgrind self-test: branched on a secret\n");
	return 0;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/iotoken-ctgrind-XXXXXX";
	char cmd[sizeof(dir) + 16];

	if (argc > 1 && strcmp(argv[1], "--self-test") == 0)
		return self_test();
	if (argc > 1 && strcmp(argv[1], "--ecdsa") == 0)
		return check_ecdsa(argc > 2 ? argv[2] : "p256");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	check_ct_equal();
	failures += check_unpad();
	check_seal();
	check_login(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		failures++;
	printf("ctgrind: %s (%s)\n", failures ? "FAILED" : "checks passed",
	       RUNNING_ON_VALGRIND ? "under valgrind" : "natively: valgrind checks not active");
	return failures ? 1 : 0;
}
