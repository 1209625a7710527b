/*
 * Allocation-failure sweep through the PKCS#11 API (SECURITY.md rows 24/36,
 * STYLE.md habit 10; issue 7 "allocation-failure injection"). For each
 * scenario, allocation n of the module (src/port/alloc.c) is made to fail for
 * n = 1, 2, ... until the scenario runs without meeting an injected failure.
 * Each time:
 *   - the call returns CKR_HOST_MEMORY (the module's documented code), or
 *     CKR_OK when the failure hit an optional cache and the result is right;
 *   - nothing crashes, nothing leaks (the ASan build's LeakSanitizer);
 *   - with injection off, the state is consistent (an object that failed to
 *     be created does not exist, in memory or in the store after a reload;
 *     a failed change left the old value; a failed operation is not active)
 *     and the scenario then succeeds: the token is still fully usable.
 * Two modes: "sticky" (allocation n and every later one fail, so cleanup
 * paths run out of memory too) and "one-shot" (only allocation n fails).
 *
 * Scope: port_malloc & co., which is every allocation of the module's own
 * code. SQLite allocates with its own malloc; its failures are swept in
 * test_store.c (SQLITE_CONFIG_MALLOC).
 *
 * Compiled twice. Here (unit/test_alloc_sweep) only the module's own
 * allocations are injected. test_alloc_sweep_openssl.c defines SWEEP_OPENSSL
 * and includes this file: OpenSSL then allocates through the module's
 * allocator (CRYPTO_set_mem_functions, before OpenSSL's first use), so
 * "allocation n" counts the module's and OpenSSL's allocations in one
 * sequence, and an injected failure may land deep inside OpenSSL.
 *
 * With SWEEP_OPENSSL, for each try the step must return:
 *   - CKR_HOST_MEMORY (preferred), or
 *   - CKR_FUNCTION_FAILED / CKR_DEVICE_ERROR, only when the injected failure
 *     hit an OpenSSL allocation (OpenSSL then does not always say it was a
 *     lack of memory; crypto_ossl_error reads the last error only), and
 *     then with the same consistency checks as CKR_HOST_MEMORY, or
 *   - CKR_OK, when the failure hit an optional cache and the result is
 *     right (a signature made then verifies, and so on).
 * Never a crash, a leak (the ASan build's LeakSanitizer), any other code,
 * or a wrong success. The codes seen are printed per scenario.
 *
 * Warm-up: OpenSSL caches on first use (algorithm fetches in the default
 * library context, the thread's error state, DRBG instances, error strings).
 * Every scenario runs once with injection off before the sweep, so that the
 * sweep measures steady-state calls, as a long-running client sees them.
 *
 * Sampling: allocations 1 to IOTOKEN_SWEEP_DENSE (default 400) are all
 * tried, then every IOTOKEN_SWEEP_STRIDE-th (default 11). Past 400 a
 * scenario is in PBKDF2 (C_InitToken, C_InitPIN, C_Login: about 4 OpenSSL
 * allocations per iteration, 1000 iterations here), the same few
 * allocations again and again; 11 is prime to the period, so every
 * position in an iteration is still hit. The allocation count printed for
 * such a scenario is then exact to within the stride.
 * IOTOKEN_SWEEP_STRIDE=1 tries them all (about 26500 tries: about a
 * minute, 5 in the ASan build).
 *
 * The SWEEP_OPENSSL build is run with the OpenSSL backend only: with
 * -DIOTOKEN_CRYPTO=mbedtls the module does not use OpenSSL and it is skipped.
 *
 * Runs against the static library: C_GetFunctionList gives the same function
 * list the module exports.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

#include <cmocka.h>

#if !defined(SWEEP_OPENSSL) || !defined(IOTOKEN_CRYPTO_MBEDTLS)
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "iotoken/pkcs11.h"
#include "port/port.h"

#define SO_PIN "so-pin-12345678"
#define USER_PIN "user-pin-1234"
#define SWEEP_MAX 20000ul

static CK_FUNCTION_LIST_PTR p11;
static char root[PATH_MAX], store_dir[PATH_MAX + 16], conf_path[PATH_MAX + 16];
/* Stores the scenarios start from, copied for each try. */
static char tpl_empty[PATH_MAX + 16], tpl_so_only[PATH_MAX + 16], tpl_full[PATH_MAX + 16];

static CK_BYTE p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
/* A P-256 private scalar (any value in [1, n-1]). */
static CK_BYTE ec_d[32] = { 0x3a, 0x51, 0x7c, 0x09, 0xe2, 0x44, 0x8b, 0x16, 0x5f, 0xd0, 0x21,
			    0x97, 0x6c, 0x38, 0xaa, 0x02, 0x7e, 0x19, 0x45, 0xbd, 0x63, 0x0f,
			    0xc8, 0x2d, 0x91, 0x5a, 0x74, 0x33, 0xe6, 0x08, 0x1b, 0x6f };
static CK_BBOOL yes = CK_TRUE;
static CK_OBJECT_CLASS cls_data = CKO_DATA, cls_priv = CKO_PRIVATE_KEY, cls_pub = CKO_PUBLIC_KEY;
static CK_KEY_TYPE kt_ec = CKK_EC;

#define ATTR(t, v)                   \
	{                            \
		(t), &(v), sizeof(v) \
	}
#define ATTR_STR(t, s)                                \
	{                                             \
		(t), (void *)(s), (CK_ULONG)strlen(s) \
	}
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define OK(call)                                                                        \
	do {                                                                            \
		CK_RV r_ = (call);                                                      \
		if (r_ != CKR_OK)                                                       \
			fail_msg("%s:%d: %s returned 0x%lx", __FILE__, __LINE__, #call, \
				 (unsigned long)r_);                                    \
	} while (0)
#define RV(call, want)                                                                           \
	do {                                                                                     \
		CK_RV r_ = (call);                                                               \
		if (r_ != (CK_RV)(want))                                                         \
			fail_msg("%s:%d: %s returned 0x%lx, expected 0x%lx", __FILE__, __LINE__, \
				 #call, (unsigned long)r_, (unsigned long)(want));               \
	} while (0)

#ifdef SWEEP_OPENSSL
/* ---- OpenSSL through the module's allocator ---- */

/* OpenSSL's allocations (all, and those refused by injection) since the
 * counters were last reset. */
static unsigned long ossl_allocs, ossl_refused;

static void *ossl_malloc(size_t n, const char *file, int line)
{
	unsigned long before = port_alloc_failures();
	void *p;

	(void)file;
	(void)line;
	ossl_allocs++;
	p = port_malloc(n);
	if (port_alloc_failures() != before)
		ossl_refused++;
	return p;
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	unsigned long before = port_alloc_failures();
	void *q;

	(void)file;
	(void)line;
	ossl_allocs++;
	q = port_realloc(p, n);
	if (port_alloc_failures() != before)
		ossl_refused++;
	return q;
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	port_free(p);
}
#else
static unsigned long ossl_allocs, ossl_refused; /* stay 0 */
#endif

/* ---- scratch stores ---- */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rmtree(const char *path)
{
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	assert_true(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	assert_int_equal(close(out), 0);
}

/* Replaces the store directory with a copy of the regular files of from. */
static void copy_dir(const char *from, const char *to)
{
	char a[PATH_MAX + 300], b[PATH_MAX + 300];
	struct dirent *e;
	DIR *d;

	rmtree(to);
	assert_int_equal(mkdir(to, 0700), 0);
	d = opendir(from);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, e->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, e->d_name);
		copy_file(a, b);
	}
	closedir(d);
}

/* ---- API helpers (injection off) ---- */

static CK_SLOT_ID slot_with(int initialized)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = NELEM(slots), i;
	CK_TOKEN_INFO ti;

	/* As clients do: the size query rescans the store. */
	OK(p11->C_GetSlotList(CK_TRUE, NULL, &n));
	assert_true(n <= NELEM(slots));
	OK(p11->C_GetSlotList(CK_TRUE, slots, &n));
	for (i = 0; i < n; i++) {
		OK(p11->C_GetTokenInfo(slots[i], &ti));
		if (!!(ti.flags & CKF_TOKEN_INITIALIZED) == initialized)
			return slots[i];
	}
	fail_msg("no %s slot", initialized ? "initialized" : "empty");
	return 0;
}

static CK_FLAGS token_flags(void)
{
	CK_TOKEN_INFO ti;

	OK(p11->C_GetTokenInfo(slot_with(1), &ti));
	return ti.flags;
}

static CK_SESSION_HANDLE open_rw(void)
{
	CK_SESSION_HANDLE s;

	OK(p11->C_OpenSession(slot_with(1), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
	return s;
}

static CK_SESSION_HANDLE user_session(void)
{
	CK_SESSION_HANDLE s = open_rw();

	OK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)));
	return s;
}

static CK_ULONG find(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	CK_OBJECT_HANDLE h[64];
	CK_ULONG got = 0;

	OK(p11->C_FindObjectsInit(s, t, n));
	OK(p11->C_FindObjects(s, h, NELEM(h), &got));
	OK(p11->C_FindObjectsFinal(s));
	if (out != NULL && got > 0)
		*out = h[0];
	return got;
}

static CK_ULONG count_label(CK_SESSION_HANDLE s, const char *label, CK_OBJECT_HANDLE *out)
{
	CK_ATTRIBUTE t[] = { ATTR_STR(CKA_LABEL, label) };

	return find(s, t, 1, out);
}

/* How many objects with this label the token holds, as a fresh
 * C_Initialize loads them from the store. */
static CK_ULONG stored_count(const char *label)
{
	CK_SESSION_HANDLE s;
	CK_ULONG n;

	OK(p11->C_Finalize(NULL));
	OK(p11->C_Initialize(NULL));
	s = user_session();
	n = count_label(s, label, NULL);
	OK(p11->C_CloseSession(s));
	return n;
}

static void sign_verify(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub)
{
	CK_MECHANISM m = { CKM_ECDSA, NULL, 0 };
	CK_BYTE hash[32] = { 1, 2, 3 }, sig[64];
	CK_ULONG len = sizeof(sig);

	OK(p11->C_SignInit(s, &m, priv));
	OK(p11->C_Sign(s, hash, sizeof(hash), sig, &len));
	assert_int_equal(len, 64);
	OK(p11->C_VerifyInit(s, &m, pub));
	OK(p11->C_Verify(s, hash, sizeof(hash), sig, len));
}

/* The provisioned token works end to end: four objects, the key signs. */
static void check_usable(void)
{
	CK_ATTRIBUTE all[] = { ATTR(CKA_TOKEN, yes) };
	CK_ATTRIBUTE k1priv[] = { ATTR_STR(CKA_LABEL, "k1"), ATTR(CKA_CLASS, cls_priv) };
	CK_ATTRIBUTE k1pub[] = { ATTR_STR(CKA_LABEL, "k1"), ATTR(CKA_CLASS, cls_pub) };
	CK_OBJECT_HANDLE priv = 0, pub = 0;
	CK_SESSION_HANDLE s = user_session();

	assert_int_equal(find(s, all, 1, NULL), 4);
	assert_int_equal(find(s, k1priv, 2, &priv), 1);
	assert_int_equal(find(s, k1pub, 2, &pub), 1);
	sign_verify(s, priv, pub);
	OK(p11->C_Logout(s));
	OK(p11->C_CloseSession(s));
	assert_int_equal(token_flags() & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED), 0);
}

static CK_RV create_data(CK_SESSION_HANDLE s, const char *label, CK_BBOOL priv, CK_OBJECT_HANDLE *h)
{
	CK_ATTRIBUTE t[] = { ATTR(CKA_CLASS, cls_data), ATTR(CKA_TOKEN, yes),
			     ATTR(CKA_PRIVATE, priv), ATTR_STR(CKA_LABEL, label),
			     ATTR_STR(CKA_VALUE, "some value") };

	return p11->C_CreateObject(s, t, NELEM(t), h);
}

static CK_RV generate(CK_SESSION_HANDLE s, const char *label, CK_OBJECT_HANDLE *pub,
		      CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE pt[] = { ATTR(CKA_TOKEN, yes), ATTR_STR(CKA_LABEL, label),
			      ATTR(CKA_EC_PARAMS, p256_oid), ATTR(CKA_VERIFY, yes) };
	CK_ATTRIBUTE st[] = { ATTR(CKA_TOKEN, yes), ATTR_STR(CKA_LABEL, label),
			      ATTR(CKA_SIGN, yes) };

	return p11->C_GenerateKeyPair(s, &m, pt, NELEM(pt), st, NELEM(st), pub, priv);
}

/* ---- the stores scenarios start from (made once, injection off) ---- */

static void make_templates(void)
{
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h, pub, priv;

	/* Empty. */
	rmtree(store_dir);
	OK(p11->C_Initialize(NULL));
	OK(p11->C_Finalize(NULL));
	copy_dir(store_dir, tpl_empty);
	/* A token with its SO PIN only. */
	OK(p11->C_Initialize(NULL));
	memset(label, ' ', sizeof(label));
	memcpy(label, "sweep", 5);
	OK(p11->C_InitToken(slot_with(0), (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN), label));
	OK(p11->C_Finalize(NULL));
	copy_dir(store_dir, tpl_so_only);
	/* Provisioned: user PIN, a public and a private data object, an EC
	 * key pair. */
	OK(p11->C_Initialize(NULL));
	s = open_rw();
	OK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN)));
	OK(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)));
	OK(p11->C_Logout(s));
	OK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)));
	OK(create_data(s, "d1", CK_FALSE, &h));
	OK(create_data(s, "p1", CK_TRUE, &h));
	OK(generate(s, "k1", &pub, &priv));
	OK(p11->C_Finalize(NULL));
	copy_dir(store_dir, tpl_full);
}

/* ---- scenarios ---- */

typedef struct sweep_ctx {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE obj, pub;
	int failed_at; /* which call of a two-call step failed (1 or 2) */
} sweep_ctx;

typedef struct scenario {
	const char *name;
	const char *from;                /* template store */
	void (*prefix)(sweep_ctx *);     /* injection off */
	CK_RV (*step)(sweep_ctx *);      /* injection on */
	void (*after_fail)(sweep_ctx *); /* injection off: nothing half done */
	void (*after_ok)(sweep_ctx *);   /* injection off: the step's effect */
} scenario;

static void pre_init(sweep_ctx *c)
{
	(void)c;
	OK(p11->C_Initialize(NULL));
}

static void pre_user(sweep_ctx *c)
{
	OK(p11->C_Initialize(NULL));
	c->s = user_session();
}

static void pre_user_d1(sweep_ctx *c)
{
	pre_user(c);
	assert_int_equal(count_label(c->s, "d1", &c->obj), 1);
}

static void pre_user_k1(sweep_ctx *c)
{
	CK_ATTRIBUTE k1priv[] = { ATTR_STR(CKA_LABEL, "k1"), ATTR(CKA_CLASS, cls_priv) };
	CK_ATTRIBUTE k1pub[] = { ATTR_STR(CKA_LABEL, "k1"), ATTR(CKA_CLASS, cls_pub) };

	pre_user(c);
	assert_int_equal(find(c->s, k1priv, 2, &c->obj), 1);
	assert_int_equal(find(c->s, k1pub, 2, &c->pub), 1);
}

/* C_Initialize, loading the stored objects. */
static CK_RV st_initialize(sweep_ctx *c)
{
	(void)c;
	return p11->C_Initialize(NULL);
}

static void fail_initialize(sweep_ctx *c)
{
	CK_ULONG n = 0;

	(void)c;
	RV(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static void ok_initialize(sweep_ctx *c)
{
	(void)c;
	check_usable();
}

/* C_InitToken on the empty slot. */
static CK_RV st_init_token(sweep_ctx *c)
{
	CK_UTF8CHAR label[32];

	(void)c;
	memset(label, ' ', sizeof(label));
	memcpy(label, "new", 3);
	return p11->C_InitToken(slot_with(0), (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN), label);
}

static void fail_init_token(sweep_ctx *c)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = NELEM(slots);

	(void)c;
	/* No token was created: one slot, empty (after a rescan too). */
	OK(p11->C_Finalize(NULL));
	OK(p11->C_Initialize(NULL));
	OK(p11->C_GetSlotList(CK_TRUE, NULL, &n));
	OK(p11->C_GetSlotList(CK_TRUE, slots, &n));
	assert_int_equal(n, 1);
	(void)slot_with(0);
}

static void ok_init_token(sweep_ctx *c)
{
	CK_SESSION_HANDLE s;

	(void)c;
	s = open_rw();
	OK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN)));
	OK(p11->C_CloseSession(s));
	OK(p11->C_Finalize(NULL));
	OK(p11->C_Initialize(NULL));
	s = open_rw();
	OK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN)));
	OK(p11->C_CloseSession(s));
}

/* C_InitPIN by the SO. */
static void pre_so(sweep_ctx *c)
{
	OK(p11->C_Initialize(NULL));
	c->s = open_rw();
	OK(p11->C_Login(c->s, CKU_SO, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN)));
}

static CK_RV st_init_pin(sweep_ctx *c)
{
	return p11->C_InitPIN(c->s, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN));
}

static void fail_init_pin(sweep_ctx *c)
{
	(void)c;
	assert_int_equal(token_flags() & CKF_USER_PIN_INITIALIZED, 0);
	OK(p11->C_Finalize(NULL));
	OK(p11->C_Initialize(NULL));
	assert_int_equal(token_flags() & CKF_USER_PIN_INITIALIZED, 0);
	c->s = open_rw();
	OK(p11->C_Login(c->s, CKU_SO, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN)));
}

static void ok_init_pin(sweep_ctx *c)
{
	OK(p11->C_Logout(c->s));
	OK(p11->C_Login(c->s, CKU_USER, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)));
	OK(p11->C_CloseSession(c->s));
}

/* C_OpenSession + C_Login (the login opens the private objects). */
static CK_RV st_login(sweep_ctx *c)
{
	CK_RV rv;

	c->failed_at = 1;
	rv = p11->C_OpenSession(slot_with(1), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				&c->s);
	if (rv != CKR_OK)
		return rv;
	c->failed_at = 2;
	return p11->C_Login(c->s, CKU_USER, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN));
}

static void fail_login(sweep_ctx *c)
{
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;

	OK(p11->C_GetTokenInfo(slot_with(1), &ti));
	if (c->failed_at == 1) {
		assert_int_equal(ti.ulSessionCount, 0);
		return;
	}
	assert_int_equal(ti.ulSessionCount, 1);
	OK(p11->C_GetSessionInfo(c->s, &si));
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	OK(p11->C_CloseSession(c->s));
}

static void ok_login(sweep_ctx *c)
{
	CK_SESSION_INFO si;

	OK(p11->C_GetSessionInfo(c->s, &si));
	assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
	OK(p11->C_CloseSession(c->s));
	check_usable();
}

/* C_CreateObject of a data object and of an EC private key. */
static CK_RV st_create_data(sweep_ctx *c)
{
	return create_data(c->s, "new", CK_TRUE, &c->obj);
}

static CK_RV st_create_ec(sweep_ctx *c)
{
	CK_ATTRIBUTE t[] = {
		ATTR(CKA_CLASS, cls_priv),  ATTR(CKA_KEY_TYPE, kt_ec),     ATTR(CKA_TOKEN, yes),
		ATTR_STR(CKA_LABEL, "new"), ATTR(CKA_EC_PARAMS, p256_oid), ATTR(CKA_VALUE, ec_d),
		ATTR(CKA_SIGN, yes)
	};

	return p11->C_CreateObject(c->s, t, NELEM(t), &c->obj);
}

static void fail_create(sweep_ctx *c)
{
	assert_int_equal(count_label(c->s, "new", NULL), 0);
	assert_int_equal(stored_count("new"), 0);
	c->s = user_session();
}

static void ok_create(sweep_ctx *c)
{
	assert_int_equal(count_label(c->s, "new", NULL), 1);
	assert_int_equal(stored_count("new"), 1);
}

/* C_FindObjectsInit + C_FindObjects + C_FindObjectsFinal. */
static CK_RV st_find(sweep_ctx *c)
{
	CK_ATTRIBUTE t[] = { ATTR(CKA_TOKEN, yes) };
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n = 0;
	CK_RV rv;

	rv = p11->C_FindObjectsInit(c->s, t, NELEM(t));
	if (rv == CKR_OK)
		rv = p11->C_FindObjects(c->s, h, NELEM(h), &n);
	if (rv == CKR_OK && n != 4)
		fail_msg("found %lu objects", (unsigned long)n);
	/* C_FindObjectsFinal needs no memory: it always ends the search. */
	if (p11->C_FindObjectsFinal(c->s) != CKR_OK && rv == CKR_OK)
		fail_msg("C_FindObjectsFinal failed");
	return rv;
}

static void fail_find(sweep_ctx *c)
{
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n = 0;

	RV(p11->C_FindObjects(c->s, h, NELEM(h), &n), CKR_OPERATION_NOT_INITIALIZED);
}

static void ok_find(sweep_ctx *c)
{
	(void)c;
}

/* C_GenerateKeyPair, EC P-256, token objects. */
static CK_RV st_generate(sweep_ctx *c)
{
	return generate(c->s, "gen", &c->pub, &c->obj);
}

static void fail_generate(sweep_ctx *c)
{
	assert_int_equal(count_label(c->s, "gen", NULL), 0);
	assert_int_equal(stored_count("gen"), 0);
	c->s = user_session();
}

static void ok_generate(sweep_ctx *c)
{
	sign_verify(c->s, c->obj, c->pub);
	assert_int_equal(count_label(c->s, "gen", NULL), 2);
	assert_int_equal(stored_count("gen"), 2);
}

/* C_SignInit + C_Sign, ECDSA. */
static CK_BYTE sig[64];

static CK_RV st_sign(sweep_ctx *c)
{
	CK_MECHANISM m = { CKM_ECDSA, NULL, 0 };
	CK_BYTE hash[32] = { 9, 8, 7 };
	CK_ULONG len = sizeof(sig);
	CK_RV rv;

	c->failed_at = 1;
	rv = p11->C_SignInit(c->s, &m, c->obj);
	if (rv != CKR_OK)
		return rv;
	c->failed_at = 2;
	return p11->C_Sign(c->s, hash, sizeof(hash), sig, &len);
}

static void fail_sign(sweep_ctx *c)
{
	CK_BYTE hash[32] = { 9, 8, 7 };
	CK_ULONG len = sizeof(sig);

	/* A failed C_SignInit started nothing; a failed C_Sign ended it. */
	RV(p11->C_Sign(c->s, hash, sizeof(hash), sig, &len), CKR_OPERATION_NOT_INITIALIZED);
}

static void ok_sign(sweep_ctx *c)
{
	CK_MECHANISM m = { CKM_ECDSA, NULL, 0 };
	CK_BYTE hash[32] = { 9, 8, 7 };

	OK(p11->C_VerifyInit(c->s, &m, c->pub));
	OK(p11->C_Verify(c->s, hash, sizeof(hash), sig, sizeof(sig)));
}

/* C_DigestInit + C_Digest, SHA-256. */
static CK_BYTE digest[32];

static CK_RV st_digest(sweep_ctx *c)
{
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	CK_ULONG len = sizeof(digest);
	CK_RV rv;

	rv = p11->C_DigestInit(c->s, &m);
	if (rv == CKR_OK)
		rv = p11->C_Digest(c->s, (CK_BYTE_PTR) "abc", 3, digest, &len);
	return rv;
}

static void fail_digest(sweep_ctx *c)
{
	CK_ULONG len = sizeof(digest);

	RV(p11->C_Digest(c->s, (CK_BYTE_PTR) "abc", 3, digest, &len),
	   CKR_OPERATION_NOT_INITIALIZED);
}

static void ok_digest(sweep_ctx *c)
{
	static const CK_BYTE abc[32] = { 0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
					 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
					 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
					 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };

	(void)c;
	assert_memory_equal(digest, abc, sizeof(abc));
}

/* C_SetAttributeValue: a new label on a token object. */
static CK_RV st_set_attr(sweep_ctx *c)
{
	CK_ATTRIBUTE t[] = { ATTR_STR(CKA_LABEL, "renamed") };

	return p11->C_SetAttributeValue(c->s, c->obj, t, 1);
}

static void fail_set_attr(sweep_ctx *c)
{
	assert_int_equal(count_label(c->s, "d1", NULL), 1);
	assert_int_equal(count_label(c->s, "renamed", NULL), 0);
	assert_int_equal(stored_count("renamed"), 0);
	assert_int_equal(stored_count("d1"), 1);
	c->s = user_session();
	assert_int_equal(count_label(c->s, "d1", &c->obj), 1);
}

static void ok_set_attr(sweep_ctx *c)
{
	assert_int_equal(count_label(c->s, "d1", NULL), 0);
	assert_int_equal(stored_count("renamed"), 1);
}

/* C_DestroyObject. */
static CK_RV st_destroy(sweep_ctx *c)
{
	return p11->C_DestroyObject(c->s, c->obj);
}

static void fail_destroy(sweep_ctx *c)
{
	CK_OBJECT_HANDLE h = 0;

	assert_int_equal(count_label(c->s, "d1", &h), 1);
	assert_int_equal(h, c->obj);
	assert_int_equal(stored_count("d1"), 1);
	c->s = user_session();
	assert_int_equal(count_label(c->s, "d1", &c->obj), 1);
}

static void ok_destroy(sweep_ctx *c)
{
	assert_int_equal(count_label(c->s, "d1", NULL), 0);
	assert_int_equal(stored_count("d1"), 0);
}

/* C_Finalize with a session logged in, then C_Initialize again. */
static CK_RV st_finalize(sweep_ctx *c)
{
	(void)c;
	return p11->C_Finalize(NULL);
}

static void fail_finalize(sweep_ctx *c)
{
	(void)c;
	fail_msg("C_Finalize cannot fail for lack of memory");
}

static void ok_finalize(sweep_ctx *c)
{
	CK_ULONG n = 0;

	(void)c;
	RV(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	OK(p11->C_Initialize(NULL));
	check_usable();
}

static const scenario scenarios[] = {
	{ "C_Initialize", tpl_full, NULL, st_initialize, fail_initialize, ok_initialize },
	{ "C_InitToken", tpl_empty, pre_init, st_init_token, fail_init_token, ok_init_token },
	{ "C_InitPIN", tpl_so_only, pre_so, st_init_pin, fail_init_pin, ok_init_pin },
	{ "C_OpenSession+C_Login", tpl_full, pre_init, st_login, fail_login, ok_login },
	{ "C_CreateObject data", tpl_full, pre_user, st_create_data, fail_create, ok_create },
	{ "C_CreateObject EC private key", tpl_full, pre_user, st_create_ec, fail_create,
	  ok_create },
	{ "C_FindObjects", tpl_full, pre_user, st_find, fail_find, ok_find },
	{ "C_GenerateKeyPair EC P-256", tpl_full, pre_user, st_generate, fail_generate,
	  ok_generate },
	{ "C_SignInit+C_Sign ECDSA", tpl_full, pre_user_k1, st_sign, fail_sign, ok_sign },
	{ "C_DigestInit+C_Digest", tpl_full, pre_user, st_digest, fail_digest, ok_digest },
	{ "C_SetAttributeValue", tpl_full, pre_user_d1, st_set_attr, fail_set_attr, ok_set_attr },
	{ "C_DestroyObject", tpl_full, pre_user_d1, st_destroy, fail_destroy, ok_destroy },
	{ "C_Finalize", tpl_full, pre_user, st_finalize, fail_finalize, ok_finalize },
};

/* ---- the sweep ---- */

/* The codes a step may return for an injected failure; the last two only
 * when the failure was one of OpenSSL's allocations. */
enum { C_HOST_MEMORY, C_FUNCTION_FAILED, C_DEVICE_ERROR, C_CODES };
#ifdef SWEEP_OPENSSL
#define SWEEP_NAME "alloc_sweep_openssl"
#define SWEEP_DIR "iotoken-osweep-XXXXXX"
static unsigned long dense = 400, stride = 11;
#else
/* Every allocation is tried. */
#define SWEEP_NAME "alloc_sweep"
#define SWEEP_DIR "iotoken-sweep-XXXXXX"
static unsigned long dense = SWEEP_MAX, stride = 1;
#endif
static unsigned long total_tries, swallowed;
static unsigned long codes_total[C_CODES], ossl_hits_total;

static void sweep(const scenario *sc, int sticky)
{
	unsigned long n, tries = 0, absorbed = 0, ossl_hits = 0, codes[C_CODES] = { 0 };

	for (n = 1; n <= SWEEP_MAX; n += n < dense ? 1 : stride) {
		sweep_ctx c;
		unsigned long injected, in_ossl, ossl_n;
		CK_RV rv;
		int code;

		memset(&c, 0, sizeof(c));
		copy_dir(sc->from, store_dir);
		if (sc->prefix != NULL)
			sc->prefix(&c);
		ERR_clear_error();
		ossl_allocs = ossl_refused = 0;
		if (sticky)
			port_alloc_fail_after(n);
		else
			port_alloc_fail_nth(n);
		rv = sc->step(&c);
		injected = port_alloc_failures();
		port_alloc_fail_after(0);
		in_ossl = ossl_refused;
		ossl_n = ossl_allocs;
		total_tries++;
		tries++;
		if (in_ossl > 0)
			ossl_hits++;
		switch (rv) {
		case CKR_OK:
			code = -1;
			break;
		case CKR_HOST_MEMORY:
			code = C_HOST_MEMORY;
			break;
		case CKR_FUNCTION_FAILED:
			code = C_FUNCTION_FAILED;
			break;
		case CKR_DEVICE_ERROR:
			code = C_DEVICE_ERROR;
			break;
		default:
			code = -2;
		}
		if (code == -2 || (code > C_HOST_MEMORY && in_ossl == 0))
			fail_msg("%s (%s): allocation %lu failing (%s) gave 0x%lx", sc->name,
				 sticky ? "sticky" : "one-shot", n,
				 in_ossl > 0 ? "OpenSSL's" : "the module's", (unsigned long)rv);
		if (rv != CKR_OK && injected == 0)
			fail_msg("%s: 0x%lx without an injected failure", sc->name,
				 (unsigned long)rv);
		if (code >= 0) {
			codes[code]++;
			codes_total[code]++;
			/* Nothing half done; then the step works. */
			sc->after_fail(&c);
			OK(sc->step(&c));
		} else if (injected > 0) {
			/* The failure hit something optional (a cache, a
			 * token that reopens at the next C_GetSlotList). */
			swallowed++;
			absorbed++;
		}
		sc->after_ok(&c);
		(void)p11->C_Finalize(NULL);
		ERR_clear_error();
		if (rv == CKR_OK && injected == 0) {
			print_message("%-30s %-8s %4lu allocations (%lu OpenSSL's), %lu tries: "
				      "HOST_MEMORY %lu, FUNCTION_FAILED %lu, DEVICE_ERROR %lu, "
				      "absorbed %lu; %lu failures in OpenSSL\n",
				      sc->name, sticky ? "sticky" : "one-shot", n - 1, ossl_n,
				      tries, codes[C_HOST_MEMORY], codes[C_FUNCTION_FAILED],
				      codes[C_DEVICE_ERROR], absorbed, ossl_hits);
			ossl_hits_total += ossl_hits;
			return;
		}
	}
	fail_msg("%s: still failing after %lu allocations", sc->name, SWEEP_MAX);
}

static void test_sweep(void **state)
{
	const scenario *sc = *state;

	sweep(sc, 1);
	sweep(sc, 0);
}

static int teardown(void **state)
{
	(void)state;
	port_alloc_fail_after(0);
	(void)p11->C_Finalize(NULL);
	ERR_clear_error();
	return 0;
}

#ifdef SWEEP_OPENSSL
/* Every scenario once, injection off: OpenSSL's first-use caches are made
 * before the sweep. */
static void warm_up(void)
{
	size_t i;

	/* The thread's error state, and an error with its strings. */
	ERR_raise(ERR_LIB_CRYPTO, ERR_R_MALLOC_FAILURE);
	ERR_clear_error();
	for (i = 0; i < NELEM(scenarios); i++) {
		const scenario *sc = &scenarios[i];
		sweep_ctx c;

		memset(&c, 0, sizeof(c));
		copy_dir(sc->from, store_dir);
		if (sc->prefix != NULL)
			sc->prefix(&c);
		OK(sc->step(&c));
		sc->after_ok(&c);
		(void)p11->C_Finalize(NULL);
	}
	ERR_clear_error();
}
#endif

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR"), *k = getenv("IOTOKEN_SWEEP_STRIDE"),
		   *d = getenv("IOTOKEN_SWEEP_DENSE");
	FILE *f;

	(void)state;
	if (k != NULL && *k != '\0' && strtoul(k, NULL, 10) > 0)
		stride = strtoul(k, NULL, 10);
	if (d != NULL && *d != '\0')
		dense = strtoul(d, NULL, 10);
	if (C_GetFunctionList(&p11) != CKR_OK)
		return -1;
	/* Thousands of durable commits: a RAM file system when there is one. */
	if (tmp == NULL || *tmp == '\0')
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(root, sizeof(root), "%s/" SWEEP_DIR, tmp);
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(store_dir, sizeof(store_dir), "%s/store", root);
	snprintf(conf_path, sizeof(conf_path), "%s/iotoken.conf", root);
	snprintf(tpl_empty, sizeof(tpl_empty), "%s/t-empty", root);
	snprintf(tpl_so_only, sizeof(tpl_so_only), "%s/t-so", root);
	snprintf(tpl_full, sizeof(tpl_full), "%s/t-full", root);
	f = fopen(conf_path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "dir = %s\npbkdf2_iterations = 1000\n", store_dir);
	if (fclose(f) != 0 || setenv("IOTOKEN_CONF", conf_path, 1) != 0)
		return -1;
	make_templates();
#ifdef SWEEP_OPENSSL
	warm_up();
#endif
	if (stride > 1)
		print_message("sampling: every allocation up to %lu, then every %luth\n", dense,
			      stride);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	print_message("%lu tries (%lu with the failure in OpenSSL): HOST_MEMORY %lu, "
		      "FUNCTION_FAILED %lu, DEVICE_ERROR %lu, absorbed with CKR_OK %lu\n",
		      total_tries, ossl_hits_total, codes_total[C_HOST_MEMORY],
		      codes_total[C_FUNCTION_FAILED], codes_total[C_DEVICE_ERROR], swallowed);
	rmtree(root);
	return 0;
}

int main(void)
{
	struct CMUnitTest tests[NELEM(scenarios)];
	size_t i;

#ifdef SWEEP_OPENSSL
	/* Before OpenSSL allocates anything. */
	if (CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) != 1) {
		fprintf(stderr, "CRYPTO_set_mem_functions refused (OpenSSL already in use)\n");
		return 1;
	}
#endif
	for (i = 0; i < NELEM(scenarios); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = scenarios[i].name;
		tests[i].test_func = test_sweep;
		tests[i].teardown_func = teardown;
		tests[i].initial_state = (void *)&scenarios[i];
	}
	return _cmocka_run_group_tests(SWEEP_NAME, tests, NELEM(tests), group_setup,
				       group_teardown);
}

#else /* SWEEP_OPENSSL && IOTOKEN_CRYPTO_MBEDTLS */

/* The module does not use OpenSSL: nothing to sweep here
 * (test_alloc_sweep.c covers the module's own allocations). */
static void test_skipped(void **state)
{
	(void)state;
	print_message("mbedTLS backend: the module does not use OpenSSL, skipped\n");
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_skipped) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
