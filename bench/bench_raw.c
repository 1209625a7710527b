/*
 * The raw column: the same operations directly with OpenSSL 3 EVP, no token. Each operation
 * does what a careful application would do per call: a new EVP_PKEY_CTX / EVP_MD_CTX for a
 * signature (the equivalent of C_SignInit + C_Sign), a pre-fetched EVP_MD and a reused
 * EVP_MD_CTX for digests, a prepared keygen context for key generation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "bench.h"

static const unsigned char sha256_prefix[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
						 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
						 0x01, 0x05, 0x00, 0x04, 0x20 };

#define OSSL(call)                                                                          \
	do {                                                                                \
		if ((call) <= 0) {                                                          \
			fprintf(stderr, "bench: raw: %s failed (%s:%d)\n", #call, __FILE__, \
				__LINE__);                                                  \
			ERR_print_errors_fp(stderr);                                        \
			return -1;                                                          \
		}                                                                           \
	} while (0)

/* ---- key generation ---- */

static int keygen_op(void *ctx)
{
	EVP_PKEY *pk = NULL;

	OSSL(EVP_PKEY_generate(ctx, &pk));
	EVP_PKEY_free(pk);
	return 0;
}

static EVP_PKEY_CTX *keygen_ctx(int rsa)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, rsa ? "RSA" : "EC", NULL);

	if (!c || EVP_PKEY_keygen_init(c) <= 0 ||
	    (rsa ? EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048)
		 : EVP_PKEY_CTX_set_group_name(c, "P-256")) <= 0) {
		EVP_PKEY_CTX_free(c);
		return NULL;
	}
	return c;
}

/* ---- sign and verify ---- */

enum kind { K_RAW_ECDSA, K_ECDSA_SHA256, K_RSA_PKCS, K_SHA256_RSA_PKCS, K_SHA256_RSA_PSS };

struct sg {
	EVP_PKEY *key;
	enum kind kind;
	const unsigned char *data;
	size_t len;
	unsigned char sig[512];
	size_t siglen;
};

static int sign_op(void *ctx)
{
	struct sg *g = ctx;

	g->siglen = sizeof(g->sig);
	if (g->kind == K_RAW_ECDSA || g->kind == K_RSA_PKCS) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, g->key, NULL);
		int ok = c && EVP_PKEY_sign_init(c) > 0 &&
			 (g->kind != K_RSA_PKCS ||
			  EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0) &&
			 EVP_PKEY_sign(c, g->sig, &g->siglen, g->data, g->len) > 0;

		EVP_PKEY_CTX_free(c);
		OSSL(ok);
	} else {
		EVP_MD_CTX *m = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pc = NULL;
		int ok = m &&
			 EVP_DigestSignInit_ex(m, &pc, "SHA256", NULL, NULL, g->key, NULL) > 0 &&
			 (g->kind != K_SHA256_RSA_PSS ||
			  (EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
			   EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) > 0)) &&
			 EVP_DigestSign(m, g->sig, &g->siglen, g->data, g->len) > 0;

		EVP_MD_CTX_free(m);
		OSSL(ok);
	}
	return 0;
}

static int verify_op(void *ctx)
{
	struct sg *g = ctx;

	if (g->kind == K_RAW_ECDSA || g->kind == K_RSA_PKCS) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, g->key, NULL);
		int ok = c && EVP_PKEY_verify_init(c) > 0 &&
			 (g->kind != K_RSA_PKCS ||
			  EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0) &&
			 EVP_PKEY_verify(c, g->sig, g->siglen, g->data, g->len) > 0;

		EVP_PKEY_CTX_free(c);
		OSSL(ok);
	} else {
		EVP_MD_CTX *m = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pc = NULL;
		int ok = m &&
			 EVP_DigestVerifyInit_ex(m, &pc, "SHA256", NULL, NULL, g->key, NULL) > 0 &&
			 (g->kind != K_SHA256_RSA_PSS ||
			  (EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
			   EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) > 0)) &&
			 EVP_DigestVerify(m, g->sig, g->siglen, g->data, g->len) > 0;

		EVP_MD_CTX_free(m);
		OSSL(ok);
	}
	return 0;
}

/* ---- digest and random ---- */

struct dg {
	EVP_MD *md;
	EVP_MD_CTX *c;
	size_t len;
	int multi;
	unsigned char out[32];
};

static int digest_op(void *ctx)
{
	struct dg *d = ctx;
	unsigned int olen;

	OSSL(EVP_DigestInit_ex2(d->c, d->md, NULL));
	if (!d->multi) {
		OSSL(EVP_DigestUpdate(d->c, data_1m, d->len));
	} else {
		for (int i = 0; i < 64; i++)
			OSSL(EVP_DigestUpdate(d->c, data_1m + i * 1024, 1024));
	}
	OSSL(EVP_DigestFinal_ex(d->c, d->out, &olen));
	return 0;
}

static int random_op(void *ctx)
{
	unsigned char buf[32];

	(void)ctx;
	OSSL(RAND_bytes(buf, sizeof(buf)));
	return 0;
}

static void bench_digest(void)
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
	struct dg d = { .md = EVP_MD_fetch(NULL, "SHA256", NULL), .c = EVP_MD_CTX_new() };

	for (size_t i = 0; d.md && d.c && i < sizeof(t) / sizeof(t[0]); i++) {
		d.len = t[i].len;
		d.multi = t[i].multi;
		if (wanted(t[i].id))
			result_set(t[i].id, t[i].id, U_OPS, COL_RAW,
				   measure_slow(t[i].id, digest_op, NULL, &d,
						t[i].len == 1 << 20 ? 100 : 1));
	}
	EVP_MD_CTX_free(d.c);
	EVP_MD_free(d.md);
}

int bench_raw(void)
{
	static const struct {
		const char *sign_id, *verify_id;
		enum kind kind;
		size_t len;
	} t[] = {
		{ "sign-ecdsa", "verify-ecdsa", K_RAW_ECDSA, 32 },
		{ "sign-ecdsa-sha256", "verify-ecdsa-sha256", K_ECDSA_SHA256, 1024 },
		{ "sign-rsa-pkcs", "verify-rsa-pkcs", K_RSA_PKCS, 51 },
		{ "sign-sha256-rsa-pkcs", "verify-sha256-rsa-pkcs", K_SHA256_RSA_PKCS, 1024 },
		{ "sign-sha256-rsa-pss", "verify-sha256-rsa-pss", K_SHA256_RSA_PSS, 1024 },
	};
	static unsigned char digest_info[51];
	EVP_PKEY_CTX *kc;
	EVP_PKEY *ec = NULL, *rsa = NULL;

	fprintf(stderr, "bench: raw OpenSSL (%s)\n", OpenSSL_version(OPENSSL_VERSION));
	memcpy(digest_info, sha256_prefix, sizeof(sha256_prefix));
	memcpy(digest_info + sizeof(sha256_prefix), data_1m, 32);
	for (int rsa_kg = 0; rsa_kg < 2; rsa_kg++) {
		const char *id = rsa_kg ? "keygen-rsa-session" : "keygen-ec-session";
		const char *tid = rsa_kg ? "keygen-rsa-token" : "keygen-ec-token";
		double v;

		if (!wanted(id) && !wanted(tid))
			continue;
		kc = keygen_ctx(rsa_kg);
		if (!kc)
			return -1;
		/* one measurement for both rows: the raw side has no token */
		v = measure_slow(id, keygen_op, NULL, kc, rsa_kg ? 20 : 1);
		result_set(id, id, U_OPS, COL_RAW, v);
		result_set(tid, tid, U_OPS, COL_RAW, v);
		EVP_PKEY_CTX_free(kc);
	}
	if ((kc = keygen_ctx(0)) == NULL || EVP_PKEY_generate(kc, &ec) <= 0)
		return -1;
	EVP_PKEY_CTX_free(kc);
	if ((kc = keygen_ctx(1)) == NULL || EVP_PKEY_generate(kc, &rsa) <= 0)
		return -1;
	EVP_PKEY_CTX_free(kc);

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sg g = { .kind = t[i].kind, .len = t[i].len };

		g.key = t[i].kind <= K_ECDSA_SHA256 ? ec : rsa;
		g.data = t[i].kind == K_RSA_PKCS ? digest_info : data_1m;
		if (wanted(t[i].sign_id))
			result_set(t[i].sign_id, t[i].sign_id, U_OPS, COL_RAW,
				   measure(t[i].sign_id, sign_op, NULL, &g));
		if (wanted(t[i].verify_id) && sign_op(&g) == 0)
			result_set(t[i].verify_id, t[i].verify_id, U_OPS, COL_RAW,
				   measure(t[i].verify_id, verify_op, NULL, &g));
	}
	bench_digest();
	if (wanted("random-32"))
		result_set("random-32", "", U_OPS, COL_RAW,
			   measure("random-32", random_op, NULL, NULL));
	if (wanted("ecdsa-1thread") || wanted("ecdsa-2threads")) {
		struct sg g[2] = { { .key = ec, .kind = K_RAW_ECDSA, .data = data_1m, .len = 32 },
				   { .key = ec, .kind = K_RAW_ECDSA, .data = data_1m, .len = 32 } };
		void *ctxs[2] = { &g[0], &g[1] };

		if (wanted("ecdsa-1thread"))
			result_set("ecdsa-1thread", "", U_OPS, COL_RAW,
				   measure_threads("ecdsa-1thread", sign_op, ctxs, 1));
		if (wanted("ecdsa-2threads"))
			result_set("ecdsa-2threads", "", U_OPS, COL_RAW,
				   measure_threads("ecdsa-2threads", sign_op, ctxs, 2));
	}
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
	return 0;
}
