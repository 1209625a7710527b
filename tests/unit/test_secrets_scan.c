/*
 * Secrets scan (SECURITY.md row 24): after C_Logout, C_DestroyObject,
 * C_CloseSession and C_Finalize, no copy of a secret that should be gone is
 * left in memory the module (or OpenSSL on its behalf) allocated.
 *
 * How: src/port/alloc.c records every block while port_test_track is on and
 * keeps freed blocks in a quarantine, unwiped and not returned to libc, so
 * that a value freed without a wipe stays visible. OpenSSL's allocations go
 * through the same functions (CRYPTO_set_mem_functions, before OpenSSL's
 * first use), so its BIGNUMs, key structures, KDF and cipher contexts are
 * scanned too. (With the mbedTLS backend, mbedTLS's own allocations are not:
 * see test_secrets_gone.) SQLite keeps its own allocator: it only ever sees sealed
 * values and PIN records (salt, wrapped master key), never a clear secret.
 *
 * The secrets: a known P-256 private scalar (CKA_VALUE) on a token object and
 * another on a session object, an RSA-2048 key made here (the private
 * exponent, both primes, the CRT values), the SO and user PINs, the keys
 * derived from them (PBKDF2) and the token master key. Numbers are searched
 * big-endian (PKCS#11, DER) and little-endian (OpenSSL BIGNUM limbs and
 * OSSL_PARAM native integers on x86-64).
 *
 * Also scanned, for information: the dead part of the test's stack below the
 * current frame (what returned functions left there). That region holds
 * OpenSSL's stack frames too; see the report printed by the test.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "iotoken/pkcs11.h"
#include "port/port.h"
#include "store/seal.h"
#include "store/store.h"

#define SO_PIN "so-PIN-e81b47d2"
#define USER_PIN "user-PIN-7f3a9c"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ATTR(t, v)                   \
	{                            \
		(t), &(v), sizeof(v) \
	}
#define ATTR_STR(t, s)                                \
	{                                             \
		(t), (void *)(s), (CK_ULONG)strlen(s) \
	}

#define OK(call)                                                                        \
	do {                                                                            \
		CK_RV r_ = (call);                                                      \
		if (r_ != CKR_OK)                                                       \
			fail_msg("%s:%d: %s returned 0x%lx", __FILE__, __LINE__, #call, \
				 (unsigned long)r_);                                    \
	} while (0)

static CK_FUNCTION_LIST_PTR p11;
static char root[PATH_MAX], store_dir[PATH_MAX + 16], conf_path[PATH_MAX + 16];

static CK_BYTE p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static CK_BYTE ec_d1[32] = { 0x5e, 0xc1, 0x7a, 0x02, 0x93, 0x4d, 0xb8, 0x21, 0x6f, 0xe0, 0x35,
			     0x88, 0x1c, 0x47, 0xd9, 0x6a, 0x0b, 0x72, 0xc4, 0x1e, 0x93, 0x55,
			     0x2f, 0xa8, 0x61, 0x0d, 0xe7, 0x39, 0x84, 0x16, 0xcb, 0x4f };
static CK_BYTE ec_d2[32] = { 0x27, 0x9a, 0x4e, 0xd1, 0x0c, 0x63, 0xb5, 0x18, 0xf2, 0x46, 0x8d,
			     0x3b, 0x70, 0xa9, 0x15, 0xce, 0x52, 0x07, 0x9e, 0x64, 0x2b, 0xd8,
			     0x31, 0x86, 0xfa, 0x4c, 0x13, 0x6e, 0xb7, 0x29, 0x05, 0x9d };

/* The RSA key, made with OpenSSL before tracking starts. */
enum { R_N, R_E, R_D, R_P, R_Q, R_DP, R_DQ, R_QINV, R_PARTS };
static const char *const rsa_names[R_PARTS] = {
	OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
	OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};
static CK_BYTE rsa[R_PARTS][256];
static CK_ULONG rsa_len[R_PARTS];

/* Derived in the test from the store's PIN records. */
static uint8_t kek_user[SEAL_KEK_LEN], kek_so[SEAL_KEK_LEN], tmk[SEAL_TMK_LEN];

/* ---- OpenSSL through the module's allocator ---- */

static void *ossl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return port_malloc(n);
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return port_realloc(p, n);
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	port_free(p);
}

/* ---- needles and scans ---- */

typedef struct needle {
	const char *name;
	const void *p;
	size_t len;
} needle;

static void hit(void *ctx, const void *block, size_t size, size_t offset, int freed)
{
	const char *what = ctx;

	print_message("    %s: in a %s block of %zu bytes at %p, offset %zu\n", what,
		      freed ? "freed" : "live", size, block, offset);
}

/* Bytes of the dead stack below the caller's frame that hold needle. Not
 * instrumented: ASan may have left poison in returned frames. */
#define STACK_SCAN 262144
static volatile uint8_t stack_sink;

__attribute__((noinline)) static void stack_prime(void)
{
	volatile uint8_t buf[STACK_SCAN + 4096];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 0;
	stack_sink = buf[0];
}

__attribute__((noinline, no_sanitize("address"))) static size_t stack_scan(const uint8_t *needle_p,
									   size_t len)
{
	uintptr_t top = (uintptr_t)__builtin_frame_address(0) - 256;
	const volatile uint8_t *p;
	size_t found = 0, i;

	for (p = (const volatile uint8_t *)(top - STACK_SCAN); (uintptr_t)(p + len) <= top; p++) {
		for (i = 0; i < len && p[i] == needle_p[i]; i++)
			;
		if (i == len)
			found++;
	}
	return found;
}

static void reverse(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

static size_t heap_hits, stack_hits;

/* Scans for each needle, big-endian and reversed; prints every hit. */
static size_t scan(const char *when, const needle *nd, size_t count)
{
	uint8_t rev[512];
	char what[160];
	size_t i, found = 0;

	for (i = 0; i < count; i++) {
		size_t h, s;

		assert_true(nd[i].len <= sizeof(rev) && nd[i].len >= 8);
		snprintf(what, sizeof(what), "%s after %s", nd[i].name, when);
		h = port_test_scan(nd[i].p, nd[i].len, hit, what);
		reverse(rev, nd[i].p, nd[i].len);
		snprintf(what, sizeof(what), "%s (little-endian) after %s", nd[i].name, when);
		h += port_test_scan(rev, nd[i].len, hit, what);
		s = stack_scan(nd[i].p, nd[i].len) + stack_scan(rev, nd[i].len);
		if (s > 0)
			print_message("    %s after %s: %zu copies on the dead stack\n", nd[i].name,
				      when, s);
		found += h;
		heap_hits += h;
		stack_hits += s;
	}
	print_message("  after %-16s %zu secrets checked, %zu found\n", when, count, found);
	return found;
}

/* ---- API helpers ---- */

static CK_SLOT_ID slot_with(int initialized)
{
	CK_SLOT_ID slots[8];
	CK_ULONG n = 0, i;
	CK_TOKEN_INFO ti;

	OK(p11->C_GetSlotList(CK_TRUE, NULL, &n));
	assert_true(n <= NELEM(slots));
	OK(p11->C_GetSlotList(CK_TRUE, slots, &n));
	for (i = 0; i < n; i++) {
		OK(p11->C_GetTokenInfo(slots[i], &ti));
		if (!!(ti.flags & CKF_TOKEN_INITIALIZED) == initialized)
			return slots[i];
	}
	fail_msg("no such slot");
	return 0;
}

/* The one object with this label. */
static CK_OBJECT_HANDLE by_label(CK_SESSION_HANDLE s, const char *label)
{
	CK_ATTRIBUTE t[] = { ATTR_STR(CKA_LABEL, label) };
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;

	OK(p11->C_FindObjectsInit(s, t, 1));
	OK(p11->C_FindObjects(s, h, 2, &n));
	OK(p11->C_FindObjectsFinal(s));
	assert_int_equal(n, 1);
	return h[0];
}

static CK_OBJECT_HANDLE create_ec(CK_SESSION_HANDLE s, CK_BYTE *d, CK_BBOOL token)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_EC;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = { ATTR(CKA_CLASS, cls),
			     ATTR(CKA_KEY_TYPE, kt),
			     ATTR(CKA_TOKEN, token),
			     ATTR(CKA_SIGN, yes),
			     ATTR(CKA_EC_PARAMS, p256_oid),
			     { CKA_VALUE, d, 32 },
			     ATTR_STR(CKA_LABEL, token ? "ec" : "ec session") };
	CK_OBJECT_HANDLE h;

	OK(p11->C_CreateObject(s, t, NELEM(t), &h));
	return h;
}

static CK_OBJECT_HANDLE create_rsa(CK_SESSION_HANDLE s)
{
	static const CK_ATTRIBUTE_TYPE types[R_PARTS] = {
		CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
		CKA_PRIME_2, CKA_EXPONENT_1,      CKA_EXPONENT_2,       CKA_COEFFICIENT,
	};
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[5 + R_PARTS] = { ATTR(CKA_CLASS, cls), ATTR(CKA_KEY_TYPE, kt),
					ATTR(CKA_TOKEN, yes), ATTR(CKA_SIGN, yes),
					ATTR_STR(CKA_LABEL, "rsa") };
	CK_OBJECT_HANDLE h;
	int i;

	for (i = 0; i < R_PARTS; i++) {
		t[5 + i].type = types[i];
		t[5 + i].pValue = rsa[i];
		t[5 + i].ulValueLen = rsa_len[i];
	}
	OK(p11->C_CreateObject(s, t, NELEM(t), &h));
	return h;
}

static void sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mech)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_BYTE data[32] = { 0x42 }, sig[512];
	CK_ULONG len = sizeof(sig);

	OK(p11->C_SignInit(s, &m, key));
	OK(p11->C_Sign(s, data, sizeof(data), sig, &len));
}

static void login(CK_SESSION_HANDLE s, CK_USER_TYPE who, const char *pin)
{
	OK(p11->C_Login(s, who, (CK_UTF8CHAR_PTR)pin, strlen(pin)));
}

/* The PIN-derived keys and the master key, from the store as the module
 * wrote it: with tracking paused, so the test's own copies are not
 * scanned. */
static void derive_needles(CK_SLOT_ID slot)
{
	char path[PATH_MAX + 64];
	store_token rec;
	store *st;

	port_test_track(0);
	snprintf(path, sizeof(path), "%s/token-%lu.sqlite", store_dir, (unsigned long)slot);
	OK(store_open(path, 0, NULL, &st));
	OK(store_token_load(st, &rec));
	store_close(st);
	OK(seal_kek_derive((const uint8_t *)USER_PIN, strlen(USER_PIN),
			   rec.pin[STORE_ROLE_USER].salt, rec.pin[STORE_ROLE_USER].iterations,
			   kek_user));
	OK(seal_kek_derive((const uint8_t *)SO_PIN, strlen(SO_PIN), rec.pin[STORE_ROLE_SO].salt,
			   rec.pin[STORE_ROLE_SO].iterations, kek_so));
	OK(seal_tmk_unwrap(kek_user, STORE_ROLE_USER, rec.pin[STORE_ROLE_USER].wrapped, tmk));
	port_test_track(1);
}

/* ---- the scanners find what is there ---- */

static const uint8_t canary[24] = "canary: 3f9a1c0b7e6d5a4";

__attribute__((noinline)) static void leave_on_stack(void)
{
	volatile uint8_t buf[64];
	size_t i;

	for (i = 0; i < sizeof(canary); i++)
		buf[8 + i] = canary[i];
	stack_sink = buf[8];
}

/* Deeper than the scanner's own frame, as the module's calls are. */
__attribute__((noinline)) static void leave_deep(void)
{
	volatile uint8_t pad[2048];

	pad[0] = 1;
	leave_on_stack();
	stack_sink = pad[0];
}

static void test_scanners_work(void **state)
{
	uint8_t *p;

	(void)state;
	port_test_track(1);
	/* A block freed without a wipe stays visible; a wiped one does not. */
	p = port_malloc(100);
	assert_non_null(p);
	memcpy(p + 10, canary, sizeof(canary));
	assert_int_equal(port_test_scan(canary, sizeof(canary), NULL, NULL), 1);
	port_free(p);
	assert_int_equal(port_test_scan(canary, sizeof(canary), NULL, NULL), 1);
	port_test_release();
	port_test_track(1);
	p = port_malloc(100);
	assert_non_null(p);
	memcpy(p + 10, canary, sizeof(canary));
	port_free_secret(p, 100);
	assert_int_equal(port_test_scan(canary, sizeof(canary), NULL, NULL), 0);
	/* OpenSSL's memory is tracked: a BIGNUM freed without clearing. */
	{
		BIGNUM *bn = BN_bin2bn(canary, sizeof(canary), NULL);
		uint8_t rev[sizeof(canary)];

		assert_non_null(bn);
		reverse(rev, canary, sizeof(canary));
		assert_int_equal(port_test_scan(rev, sizeof(rev), NULL, NULL), 1);
		BN_free(bn);
		assert_int_equal(port_test_scan(rev, sizeof(rev), NULL, NULL), 1);
	}
	port_test_release();
	/* What a returned function left on the stack. */
	stack_prime();
	leave_deep();
	assert_true(stack_scan(canary, sizeof(canary)) >= 1);
	stack_prime();
}

/* ---- the test ---- */

static void test_secrets_gone(void **state)
{
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE s1, s2;
	CK_OBJECT_HANDLE ec1, ec2, rk;
	CK_SLOT_ID slot;
	const needle pins[] = {
		{ "SO PIN", SO_PIN, strlen(SO_PIN) },
		{ "user PIN", USER_PIN, strlen(USER_PIN) },
		{ "user PIN key", kek_user, sizeof(kek_user) },
		{ "SO PIN key", kek_so, sizeof(kek_so) },
	};
	const needle login_secrets[] = {
		{ "master key", tmk, sizeof(tmk) },
		{ "EC scalar (token)", ec_d1, sizeof(ec_d1) },
		{ "RSA d", rsa[R_D], rsa_len[R_D] },
		{ "RSA p", rsa[R_P], rsa_len[R_P] },
		{ "RSA q", rsa[R_Q], rsa_len[R_Q] },
		{ "RSA dp", rsa[R_DP], rsa_len[R_DP] },
		{ "RSA dq", rsa[R_DQ], rsa_len[R_DQ] },
		{ "RSA qinv", rsa[R_QINV], rsa_len[R_QINV] },
	};
	const needle token_key[] = { { "EC scalar (token)", ec_d1, sizeof(ec_d1) } };
	const needle session_key[] = { { "EC scalar (session object)", ec_d2, sizeof(ec_d2) } };
	size_t bad = 0;

	(void)state;
	stack_prime();
	port_test_track(1);

	/* A token, its PINs; nobody logged in afterwards. */
	OK(p11->C_Initialize(NULL));
	memset(label, ' ', sizeof(label));
	memcpy(label, "scan", 4);
	slot = slot_with(0);
	OK(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN), label));
	OK(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s1));
	login(s1, CKU_SO, SO_PIN);
	OK(p11->C_InitPIN(s1, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)));
	OK(p11->C_Logout(s1));
	derive_needles(slot);
	bad += scan("SO C_Logout", pins, NELEM(pins));
	bad += scan("SO C_Logout", login_secrets, 1);

	/* Keys imported and used, then a logout. */
	login(s1, CKU_USER, USER_PIN);
	ec1 = create_ec(s1, ec_d1, CK_TRUE);
	rk = create_rsa(s1);
	sign(s1, ec1, CKM_ECDSA);
	sign(s1, rk, CKM_SHA256_RSA_PKCS);
	/* The scan sees what is there: logged in, the keys are in memory. */
	assert_true(port_test_scan(ec_d1, sizeof(ec_d1), NULL, NULL) > 0);
	assert_true(port_test_scan(tmk, sizeof(tmk), NULL, NULL) > 0);
#ifndef IOTOKEN_CRYPTO_MBEDTLS
	{
		/* OpenSSL's parsed RSA key: p as BIGNUM limbs (little-endian). */
		uint8_t rev[256];

		reverse(rev, rsa[R_P], rsa_len[R_P]);
		assert_true(port_test_scan(rev, rsa_len[R_P], NULL, NULL) > 0);
		/* And the EC key's private BIGNUM inside its EVP_PKEY. */
		reverse(rev, ec_d1, sizeof(ec_d1));
		assert_true(port_test_scan(rev, sizeof(ec_d1), NULL, NULL) > 0);
	}
#else
	/* The mbedTLS backend (-DIOTOKEN_CRYPTO=mbedtls): Debian's mbedTLS
	 * 2.28 has no MBEDTLS_PLATFORM_MEMORY, so the limbs of its parsed keys
	 * come from libc's calloc, which this scan cannot see; mbedtls_mpi_free
	 * zeroizes them. The module's own blocks are still scanned. */
#endif
	OK(p11->C_Logout(s1));
	bad += scan("C_Logout", pins, NELEM(pins));
	bad += scan("C_Logout", login_secrets, NELEM(login_secrets));

	/* Logged in again (the keys are unsealed and parsed again); a session
	 * object in a second session; the token EC key destroyed. */
	login(s1, CKU_USER, USER_PIN);
	/* Handles of private objects do not survive a logout (v2.40 5.6). */
	ec1 = by_label(s1, "ec");
	rk = by_label(s1, "rsa");
	sign(s1, ec1, CKM_ECDSA);
	sign(s1, rk, CKM_SHA256_RSA_PKCS);
	OK(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s2));
	ec2 = create_ec(s2, ec_d2, CK_FALSE);
	sign(s2, ec2, CKM_ECDSA);
	OK(p11->C_DestroyObject(s1, ec1));
	bad += scan("C_DestroyObject", token_key, NELEM(token_key));
	bad += scan("C_DestroyObject", pins, NELEM(pins));

	/* Closing the session destroys its objects. */
	OK(p11->C_CloseSession(s2));
	bad += scan("C_CloseSession", session_key, NELEM(session_key));
	bad += scan("C_CloseSession", pins, NELEM(pins));

	/* Finalize while logged in, with the RSA key parsed and cached. */
	sign(s1, rk, CKM_SHA256_RSA_PKCS);
	OK(p11->C_Finalize(NULL));
	bad += scan("C_Finalize", pins, NELEM(pins));
	bad += scan("C_Finalize", login_secrets, NELEM(login_secrets));
	bad += scan("C_Finalize", session_key, NELEM(session_key));

	print_message("  heap: %zu copies of secrets found; dead stack: %zu (information)\n",
		      heap_hits, stack_hits);
	port_test_release();
	assert_int_equal(bad, 0);
}

/* ---- setup ---- */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int make_rsa(void)
{
	EVP_PKEY *pkey = EVP_RSA_gen(2048);
	int i, ok = pkey != NULL;

	for (i = 0; ok && i < R_PARTS; i++) {
		BIGNUM *bn = NULL;
		int n;

		ok = EVP_PKEY_get_bn_param(pkey, rsa_names[i], &bn) == 1;
		n = ok ? BN_num_bytes(bn) : -1;
		ok = ok && n > 0 && n <= (int)sizeof(rsa[i]) && BN_bn2bin(bn, rsa[i]) == n;
		rsa_len[i] = ok ? (CK_ULONG)n : 0;
		BN_clear_free(bn);
	}
	EVP_PKEY_free(pkey);
	return ok ? 0 : -1;
}

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	(void)state;
	if (C_GetFunctionList(&p11) != CKR_OK || make_rsa() != 0)
		return -1;
	if (tmp == NULL || *tmp == '\0')
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(root, sizeof(root), "%s/iotoken-scan-XXXXXX", tmp);
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(store_dir, sizeof(store_dir), "%s/store", root);
	snprintf(conf_path, sizeof(conf_path), "%s/iotoken.conf", root);
	f = fopen(conf_path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "dir = %s\npbkdf2_iterations = 1000\n", store_dir);
	if (fclose(f) != 0 || setenv("IOTOKEN_CONF", conf_path, 1) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	(void)p11->C_Finalize(NULL);
	port_test_release();
	(void)nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanners_work),
		cmocka_unit_test(test_secrets_gone),
	};

	/* Before OpenSSL allocates anything: its memory is scanned too. */
	if (CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) != 1) {
		fprintf(stderr, "CRYPTO_set_mem_functions refused (OpenSSL already in use)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
