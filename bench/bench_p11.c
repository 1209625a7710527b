/*
 * The PKCS#11 side: loads a module by path (dlopen + C_GetFunctionList), initializes a scratch
 * token on the first uninitialized slot, and measures key generation, signatures, digests,
 * random, sessions and threads (objects and finds: bench_obj.c). Uses only the public PKCS#11
 * interface, so it runs against any module.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#include "iotoken/pkcs11.h"
#include "bench_p11.h"

const unsigned char p256_oid[10] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const unsigned char rsa_e[] = { 0x01, 0x00, 0x01 };
/* DER prefix of a SHA-256 DigestInfo; the bench appends a 32-byte "hash". */
static const unsigned char sha256_prefix[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
						 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
						 0x01, 0x05, 0x00, 0x04, 0x20 };
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

const char *col_name(int col)
{
	return col == COL_IOTOKEN ? "iotoken" : col == COL_SOFTHSM ? "SoftHSM2" : "module";
}

static void pad(CK_UTF8CHAR *dst, size_t n, const char *s)
{
	size_t l = strlen(s);

	memset(dst, ' ', n);
	memcpy(dst, s, l < n ? l : n);
}

static int mod_load(struct mod *m, const char *path)
{
	CK_C_GetFunctionList get;
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };

	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl) {
		fprintf(stderr, "bench: cannot load %s: %s\n", path, dlerror());
		return -1;
	}
	*(void **)&get = dlsym(m->dl, "C_GetFunctionList");
	if (!get || get(&m->f) != CKR_OK) {
		fprintf(stderr, "bench: %s: no usable C_GetFunctionList\n", path);
		return -1;
	}
	CK(m, C_Initialize(&args));
	return 0;
}

int find_slot(struct mod *m, int want_init, CK_SLOT_ID *out)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64;
	CK_UTF8CHAR label[32];

	pad(label, sizeof(label), TOKEN_LABEL);
	CK(m, C_GetSlotList(CK_TRUE, slots, &n));
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;

		if (m->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (!want_init && !(ti.flags & CKF_TOKEN_INITIALIZED)) {
			*out = slots[i];
			return 0;
		}
		if (want_init && (ti.flags & CKF_TOKEN_INITIALIZED) &&
		    memcmp(ti.label, label, sizeof(label)) == 0) {
			*out = slots[i];
			return 0;
		}
	}
	return -1;
}

static int token_setup(struct mod *m)
{
	CK_SLOT_ID slot;
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE s;

	if (find_slot(m, 0, &slot) != 0) {
		fprintf(stderr, "bench: %s: no slot with an uninitialized token\n",
			col_name(m->col));
		return -1;
	}
	pad(label, sizeof(label), TOKEN_LABEL);
	CK(m, C_InitToken(slot, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN), label));
	/* SoftHSM2 moves an initialized token to a new slot id: look it up again. */
	if (find_slot(m, 1, &m->slot) != 0) {
		fprintf(stderr, "bench: %s: initialized token not found\n", col_name(m->col));
		return -1;
	}
	CK(m, C_OpenSession(m->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
	CK(m, C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN)));
	CK(m, C_InitPIN(s, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)));
	CK(m, C_Logout(s));
	CK(m, C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)));
	m->s = s;
	return 0;
}

/* ---- key generation ---- */

struct kg {
	struct mod *m;
	int rsa;
	CK_BBOOL token;
	const char *label;
	CK_OBJECT_HANDLE *h; /* generated handles, destroyed by kg_cleanup */
	size_t nh, cap;
	CK_OBJECT_HANDLE pub, priv; /* last pair */
};

static int kg_gen(struct kg *k)
{
	struct mod *m = k->m;
	CK_ULONG bits = 2048;
	CK_ULONG llen = (CK_ULONG)strlen(k->label);
	CK_MECHANISM ec_mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_MECHANISM rsa_mech = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE ec_pub[] = {
		{ CKA_EC_PARAMS, (void *)p256_oid, sizeof(p256_oid) },
		{ CKA_TOKEN, &k->token, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_LABEL, (void *)k->label, llen },
	};
	CK_ATTRIBUTE rsa_pub[] = {
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
		{ CKA_PUBLIC_EXPONENT, (void *)rsa_e, sizeof(rsa_e) },
		{ CKA_TOKEN, &k->token, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_LABEL, (void *)k->label, llen },
	};
	CK_ATTRIBUTE priv[] = {
		{ CKA_TOKEN, &k->token, 1 }, { CKA_PRIVATE, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },  { CKA_EXTRACTABLE, &no, 1 },
		{ CKA_SIGN, &yes, 1 },       { CKA_LABEL, (void *)k->label, llen },
	};

	if (k->rsa)
		CK(m, C_GenerateKeyPair(m->s, &rsa_mech, rsa_pub, 5, priv, 6, &k->pub, &k->priv));
	else
		CK(m, C_GenerateKeyPair(m->s, &ec_mech, ec_pub, 4, priv, 6, &k->pub, &k->priv));
	if (k->nh + 2 > k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		CK_OBJECT_HANDLE *h = realloc(k->h, cap * sizeof(*h));

		if (!h)
			return -1;
		k->h = h;
		k->cap = cap;
	}
	k->h[k->nh++] = k->pub;
	k->h[k->nh++] = k->priv;
	return 0;
}

static int kg_op(void *ctx)
{
	return kg_gen(ctx);
}

static int kg_cleanup(void *ctx)
{
	struct kg *k = ctx;

	for (size_t i = 0; i < k->nh; i++)
		CK(k->m, C_DestroyObject(k->m->s, k->h[i]));
	k->nh = 0;
	return 0;
}

static void bench_keygen(struct mod *m)
{
	static const struct {
		const char *id;
		int rsa;
		CK_BBOOL token;
	} t[] = {
		{ "keygen-ec-session", 0, CK_FALSE },
		{ "keygen-ec-token", 0, CK_TRUE },
		{ "keygen-rsa-session", 1, CK_FALSE },
		{ "keygen-rsa-token", 1, CK_TRUE },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct kg k = { .m = m, .rsa = t[i].rsa, .token = t[i].token, .label = "bench-kg" };

		if (!wanted(t[i].id))
			continue;
		result_set(t[i].id, t[i].id, U_OPS, m->col,
			   measure_slow(t[i].id, kg_op, kg_cleanup, &k, t[i].rsa ? 20 : 1));
		free(k.h);
	}
}

/* The long-lived token key pairs that the sign and verify tests use. */
static int sign_keys(struct mod *m)
{
	struct kg ec = { .m = m, .token = CK_TRUE, .label = "bench-sign-ec" };
	struct kg rsa = { .m = m, .rsa = 1, .token = CK_TRUE, .label = "bench-sign-rsa" };
	CK_ATTRIBUTE a = { CKA_EC_POINT, m->ec_point, sizeof(m->ec_point) };

	if (kg_gen(&ec) != 0 || kg_gen(&rsa) != 0) {
		free(ec.h);
		free(rsa.h);
		return -1;
	}
	free(ec.h);
	free(rsa.h);
	m->ec_pub = ec.pub;
	m->ec_priv = ec.priv;
	m->rsa_pub = rsa.pub;
	m->rsa_priv = rsa.priv;
	CK(m, C_GetAttributeValue(m->s, m->ec_pub, &a, 1));
	m->ec_point_len = a.ulValueLen;
	return 0;
}

/* ---- sign and verify ---- */

struct sg {
	struct mod *m;
	CK_SESSION_HANDLE s;
	CK_MECHANISM mech;
	CK_OBJECT_HANDLE priv, pub;
	const unsigned char *data;
	CK_ULONG len;
	unsigned char sig[512];
	CK_ULONG siglen;
};

static int sign_op(void *ctx)
{
	struct sg *g = ctx;

	g->siglen = sizeof(g->sig);
	CK(g->m, C_SignInit(g->s, &g->mech, g->priv));
	CK(g->m, C_Sign(g->s, (CK_BYTE_PTR)g->data, g->len, g->sig, &g->siglen));
	return 0;
}

static int verify_op(void *ctx)
{
	struct sg *g = ctx;

	CK(g->m, C_VerifyInit(g->s, &g->mech, g->pub));
	CK(g->m, C_Verify(g->s, (CK_BYTE_PTR)g->data, g->len, g->sig, g->siglen));
	return 0;
}

static void bench_sign(struct mod *m)
{
	static CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	static unsigned char digest_info[51];
	static const struct {
		const char *sign_id, *verify_id;
		CK_MECHANISM_TYPE mech;
		int rsa;
		size_t len;
	} t[] = {
		{ "sign-ecdsa", "verify-ecdsa", CKM_ECDSA, 0, 32 },
		{ "sign-ecdsa-sha256", "verify-ecdsa-sha256", CKM_ECDSA_SHA256, 0, 1024 },
		{ "sign-rsa-pkcs", "verify-rsa-pkcs", CKM_RSA_PKCS, 1, 51 },
		{ "sign-sha256-rsa-pkcs", "verify-sha256-rsa-pkcs", CKM_SHA256_RSA_PKCS, 1, 1024 },
		{ "sign-sha256-rsa-pss", "verify-sha256-rsa-pss", CKM_SHA256_RSA_PKCS_PSS, 1,
		  1024 },
	};

	memcpy(digest_info, sha256_prefix, sizeof(sha256_prefix));
	memcpy(digest_info + sizeof(sha256_prefix), data_1m, 32);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sg g = { .m = m, .s = m->s, .mech = { t[i].mech, NULL, 0 } };
		CK_MECHANISM_INFO mi;

		if (!wanted(t[i].sign_id) && !wanted(t[i].verify_id))
			continue;
		if (m->f->C_GetMechanismInfo(m->slot, t[i].mech, &mi) != CKR_OK) {
			fprintf(stderr, "bench: %s: mechanism 0x%lx not offered, %s skipped\n",
				col_name(m->col), (unsigned long)t[i].mech, t[i].sign_id);
			continue;
		}
		if (t[i].mech == CKM_SHA256_RSA_PKCS_PSS) {
			g.mech.pParameter = &pss;
			g.mech.ulParameterLen = sizeof(pss);
		}
		g.priv = t[i].rsa ? m->rsa_priv : m->ec_priv;
		g.pub = t[i].rsa ? m->rsa_pub : m->ec_pub;
		g.data = t[i].mech == CKM_RSA_PKCS ? digest_info : data_1m;
		g.len = (CK_ULONG)t[i].len;
		if (wanted(t[i].sign_id))
			result_set(t[i].sign_id, t[i].sign_id, U_OPS, m->col,
				   measure(t[i].sign_id, sign_op, NULL, &g));
		if (wanted(t[i].verify_id) && sign_op(&g) == 0)
			result_set(t[i].verify_id, t[i].verify_id, U_OPS, m->col,
				   measure(t[i].verify_id, verify_op, NULL, &g));
	}
}

/* ---- threads ---- */

static void bench_threads(struct mod *m)
{
	struct sg g[2];
	void *ctxs[2] = { &g[0], &g[1] };

	if (!wanted("ecdsa-1thread") && !wanted("ecdsa-2threads"))
		return;
	for (int i = 0; i < 2; i++) {
		g[i] = (struct sg){ .m = m,
				    .mech = { CKM_ECDSA, NULL, 0 },
				    .priv = m->ec_priv,
				    .pub = m->ec_pub,
				    .data = data_1m,
				    .len = 32 };
		if (m->f->C_OpenSession(m->slot, CKF_SERIAL_SESSION, NULL, NULL, &g[i].s) != CKR_OK)
			return;
	}
	if (wanted("ecdsa-1thread"))
		result_set("ecdsa-1thread", "", U_OPS, m->col,
			   measure_threads("ecdsa-1thread", sign_op, ctxs, 1));
	if (wanted("ecdsa-2threads"))
		result_set("ecdsa-2threads", "", U_OPS, m->col,
			   measure_threads("ecdsa-2threads", sign_op, ctxs, 2));
	m->f->C_CloseSession(g[0].s);
	m->f->C_CloseSession(g[1].s);
}

/* ---- digest, random, sessions ---- */

struct dg {
	struct mod *m;
	size_t len;
	int multi;
	unsigned char out[32];
};

static int digest_op(void *ctx)
{
	struct dg *d = ctx;
	CK_MECHANISM mech = { CKM_SHA256, NULL, 0 };
	CK_ULONG olen = sizeof(d->out);

	CK(d->m, C_DigestInit(d->m->s, &mech));
	if (!d->multi) {
		CK(d->m, C_Digest(d->m->s, data_1m, (CK_ULONG)d->len, d->out, &olen));
		return 0;
	}
	for (int i = 0; i < 64; i++)
		CK(d->m, C_DigestUpdate(d->m->s, data_1m + i * 1024, 1024));
	CK(d->m, C_DigestFinal(d->m->s, d->out, &olen));
	return 0;
}

static int random_op(void *ctx)
{
	struct mod *m = ctx;
	unsigned char buf[32];

	CK(m, C_GenerateRandom(m->s, buf, sizeof(buf)));
	return 0;
}

static int session_op(void *ctx)
{
	struct mod *m = ctx;
	CK_SESSION_HANDLE s;

	CK(m, C_OpenSession(m->slot, CKF_SERIAL_SESSION, NULL, NULL, &s));
	CK(m, C_CloseSession(s));
	return 0;
}

static void bench_misc(struct mod *m)
{
	static const struct {
		const char *id;
		size_t len;
		int multi;
	} t[] = {
		{ "digest-sha256-64", 64, 0 },
		{ "digest-sha256-1k", 1024, 0 },
		{ "digest-sha256-1m", 1 << 20, 0 },
		{ "digest-sha256-multi", 65536, 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dg d = { .m = m, .len = t[i].len, .multi = t[i].multi };

		if (wanted(t[i].id))
			result_set(t[i].id, t[i].id, U_OPS, m->col,
				   measure_slow(t[i].id, digest_op, NULL, &d,
						t[i].len == 1 << 20 ? 100 : 1));
	}
	if (wanted("random-32"))
		result_set("random-32", "", U_OPS, m->col,
			   measure("random-32", random_op, NULL, m));
	if (wanted("session-open-close"))
		result_set("session-open-close", "", U_OPS, m->col,
			   measure("session-open-close", session_op, NULL, m));
}

int bench_module(const char *path, int col)
{
	struct mod m = { .col = col };

	fprintf(stderr, "bench: %s (%s)\n", col_name(col), path);
	if (mod_load(&m, path) != 0 || token_setup(&m) != 0)
		return -1;
	bench_keygen(&m);
	if (sign_keys(&m) != 0)
		return -1;
	bench_sign(&m);
	bench_misc(&m);
	bench_threads(&m);
	bench_objects(&m, path);
	m.f->C_CloseAllSessions(m.slot);
	m.f->C_Finalize(NULL);
	return 0;
}
