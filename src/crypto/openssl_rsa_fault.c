/*
 * Whether OpenSSL itself keeps a faulty RSA-CRT result from leaving, so that
 * the module's own check of each signature (openssl_rsa_sig.c, SECURITY.md
 * row 32) would only repeat it at about 5% of a 2048-bit signature.
 *
 * OpenSSL 3's RSA private operation, rsa_ossl_mod_exp in
 * crypto/rsa/rsa_ossl.c, ends (label "tail:", reached by both its CRT
 * paths) with: if the key has e and n, raise the CRT result to e mod n and
 * compare it with the input; if they are not congruent, "Don't leak
 * miscalculated CRT output, just do a raw (slower) mod_exp and return that
 * instead" (with d, no CRT). A fault in one CRT half, the one that factors
 * the modulus (Boneh-DeMillo-Lipton), therefore never reaches the caller.
 * rsa_ossl_private_encrypt takes that function for keys that hold p, q and
 * the three CRT values; without them it exponentiates with d and checks
 * nothing, so such keys keep the module's check.
 *
 * That code runs when the signature is computed by OpenSSL's own default
 * or FIPS provider, and, since the default provider's RSA keys take the
 * process's default RSA_METHOD and default RSA ENGINE when they are made
 * (rsa_new_intern in crypto/rsa/rsa_lib.c), only while those are OpenSSL's
 * own: a host that installed an engine or another method for RSA gets the
 * module's check.
 * Every private key has e (crypto_rsa_private computes it when absent).
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* the RSA_METHOD and ENGINE checks */

#include <string.h>

#include <openssl/provider.h>
#include <openssl/rsa.h>
#ifndef OPENSSL_NO_ENGINE
#include <openssl/engine.h>
#endif

#include "crypto/openssl_key.h"

static int openssl_provider(const EVP_PKEY_CTX *ctx)
{
	const OSSL_PROVIDER *prov = EVP_PKEY_CTX_get0_provider(ctx);
	const char *name = prov != NULL ? OSSL_PROVIDER_get0_name(prov) : NULL;

	return name != NULL && (strcmp(name, "default") == 0 || strcmp(name, "fips") == 0);
}

int crypto_ossl_rsa_method_is_openssl(void)
{
#ifndef OPENSSL_NO_DEPRECATED_3_0
	if (RSA_get_default_method() != RSA_PKCS1_OpenSSL())
		return 0;
#ifndef OPENSSL_NO_ENGINE
	{
		ENGINE *e = ENGINE_get_default_RSA();

		if (e != NULL) {
			ENGINE_finish(e);
			return 0;
		}
	}
#endif
#endif
	return 1;
}

/* The method is asked twice: when the key was made (the RSA structure took
 * the default method and engine then, crypto_ossl_key_new) and now (a key
 * exported to the provider that signs gets a new RSA structure). */
int crypto_ossl_rsa_self_checked(const crypto_key *k, const EVP_PKEY_CTX *ctx)
{
	return k->crt_checked && openssl_provider(ctx) && crypto_ossl_rsa_method_is_openssl();
}
