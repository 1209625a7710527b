/*
 * C_GenerateKeyPair(hSession, pMechanism, pPublicKeyTemplate, ulPublicCount,
 * pPrivateKeyTemplate, ulPrivateCount, phPublicKey, phPrivateKey) with an
 * R/W session on slot 1 holding a data object, in three states
 * (verify_case_g): nobody logged in (a private key, private by default,
 * is refused), the user logged in, the user logged in and the call made on
 * an R/O session. Arguments:
 *   public template   (verify_case_a) EC: CKA_EC_PARAMS P-256 + CKA_VERIFY
 *              + CKA_LABEL; CKA_EC_PARAMS + CKA_TOKEN + CKA_ID; none;
 *              RSA: CKA_MODULUS_BITS 2048 + CKA_PUBLIC_EXPONENT 65537;
 *              CKA_MODULUS_BITS 1000 (out of range); CKA_MODULUS_BITS +
 *              CKA_MODULUS (material: refused); EC: CKA_EC_PARAMS +
 *              CKA_LOCAL (computed: refused); EC: CKA_EC_PARAMS P-384 +
 *              CKA_VERIFY;
 *   private template  (verify_case_c) CKA_SIGN + CKA_LABEL; CKA_TOKEN +
 *              CKA_SENSITIVE FALSE + CKA_EXTRACTABLE + CKA_ID; CKA_PRIVATE
 *              FALSE; none; CKA_VALUE (material: refused);
 *   pMechanism the generation mechanism of the public template's family
 *              (EC, RSA); for the first templates of both, nobody logged
 *              in, any of verify_mechanism's: CKM_EC_KEY_PAIR_GEN,
 *              CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_ECDSA, a vendor type, each
 *              with 3 parameter forms, or NULL (verify_case_b);
 *   malformed entries (the user logged in): the last entry of the public
 *              template made malformed by verify_mutate (verify_case_h)
 *              with public templates 0 (EC) and 3 (RSA) and private
 *              template 0; else the last entry of the private template
 *              (verify_case_i) with private templates 0 and 1 and public
 *              template 0;
 *   counts     (templates 0/0, unchanged, the user logged in):
 *              verify_template_count on the public (verify_case_e) and then
 *              on the private template (verify_case_d);
 *   phPublicKey, phPrivateKey  both, either one NULL (verify_case_f; with
 *              templates 0/0, unchanged, whole, the user logged in).
 * Narrowed (time): malformed private entries only with the EC public
 * template, malformed public entries only with private template 0, counts
 * only with templates 0/0 (the unnarrowed product took over 6 minutes).
 *   hSession   from verify_session_handle with templates 0/0 unchanged and
 *              nobody logged in.
 * Key generation and every backend call may fail (stubs/crypto.c); the
 * RSA parts come from crypto_rsa_parts; storing token keys may fail, the
 * private key's failure withdraws the public one; every allocation may fail.
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full -eva-min-loop-unroll 40 -eva-slevel-function keyobj_generate:10000,material_of:200,generate_key:200,set_defaults:3000,object_encode:5000,codec_encode_mac:5000,token_store_object:5000,C_GenerateKeyPair:5000,api_publish:5000,object_create:5000,finish_private:5000
 */
#include <string.h>

#include "setup.h"

int main(void)
{
	static CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static CK_BYTE p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
	static CK_BYTE e65537[3] = { 1, 0, 1 }, value[32] = { 1 };
	static CK_ULONG bits2048 = 2048, bits1000 = 1000;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static char label[] = "k", id[] = "id", id2[] = "id2";
	static const CK_MECHANISM_TYPE mechs[] = { CKM_EC_KEY_PAIR_GEN, CKM_RSA_PKCS_KEY_PAIR_GEN,
						   CKM_ECDSA, CKM_VENDOR_DEFINED | 1 };
	const CK_ATTRIBUTE pubs[8][3] = {
		{ { CKA_EC_PARAMS, p256, sizeof(p256) },
		  { CKA_VERIFY, &yes, 1 },
		  { CKA_LABEL, label, 1 } },
		{ { CKA_EC_PARAMS, p256, sizeof(p256) },
		  { CKA_TOKEN, &yes, 1 },
		  { CKA_ID, id, 2 } },
		{ { 0 } },
		{ { CKA_MODULUS_BITS, &bits2048, sizeof(bits2048) },
		  { CKA_PUBLIC_EXPONENT, e65537, 3 } },
		{ { CKA_MODULUS_BITS, &bits1000, sizeof(bits1000) } },
		{ { CKA_MODULUS_BITS, &bits2048, sizeof(bits2048) }, { CKA_MODULUS, value, 8 } },
		{ { CKA_EC_PARAMS, p256, sizeof(p256) }, { CKA_LOCAL, &yes, 1 } },
		{ { CKA_EC_PARAMS, p384, sizeof(p384) }, { CKA_VERIFY, &yes, 1 } },
	};
	static const CK_ULONG npub[8] = { 3, 3, 0, 2, 1, 2, 2, 2 };
	const CK_ATTRIBUTE privs[5][4] = {
		{ { CKA_SIGN, &yes, 1 }, { CKA_LABEL, label, 1 } },
		{ { CKA_TOKEN, &yes, 1 },
		  { CKA_SENSITIVE, &no, 1 },
		  { CKA_EXTRACTABLE, &yes, 1 },
		  { CKA_ID, id2, 3 } },
		{ { CKA_PRIVATE, &no, 1 } },
		{ { 0 } },
		{ { CKA_VALUE, value, 32 } },
	};
	static const CK_ULONG npriv[5] = { 2, 4, 1, 0, 1 };
	CK_ATTRIBUTE pub[3], priv[4], *pp, *ps;
	CK_MECHANISM m = { 0, NULL, 0 }, *mp;
	CK_SESSION_HANDLE s, ro = 0, h;
	CK_OBJECT_HANDLE hpub, hpriv;
	CK_ULONG cpub, cpriv;
	int plain, rsa;
	CK_RV rv;

	s = verify_open_session();
	(void)verify_data_object(s, 0);
	verify_case_g = Frama_C_interval(0, 2);
	if (verify_case_g >= 1)
		verify_login(s, CKU_USER);
	if (verify_case_g == 2) {
		rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
		//@ assert setup_open_ro: rv == CKR_OK;
	}
	verify_setup = 0;

	verify_case_a = Frama_C_interval(0, 7);
	verify_case_c = Frama_C_interval(0, 4);
	memcpy(pub, pubs[verify_case_a], sizeof(pub));
	memcpy(priv, privs[verify_case_c], sizeof(priv));
	rsa = verify_case_a >= 3 && verify_case_a <= 5;
	plain = (verify_case_a == 0 || verify_case_a == 3) && verify_case_c <= 1;

	/* Malformed entries and counts (narrowed, see the header). */
	verify_case_h = verify_case_i = verify_case_e = verify_case_d = verify_case_f = 0;
	if (verify_case_g == 1 && verify_case_c == 0 && (verify_case_a == 0 || verify_case_a == 3))
		verify_mutate(&verify_case_h, pub, npub[verify_case_a], 0);
	if (verify_case_g == 1 && verify_case_a == 0 && verify_case_c <= 1 && verify_case_h == 0)
		verify_mutate(&verify_case_i, priv, npriv[verify_case_c], 0);
	cpub = npub[verify_case_a];
	cpriv = npriv[verify_case_c];
	pp = npub[verify_case_a] ? pub : NULL;
	ps = npriv[verify_case_c] ? priv : NULL;
	if (verify_case_g == 1 && verify_case_a == 0 && verify_case_c == 0 && verify_case_h == 0 &&
	    verify_case_i == 0) {
		pp = verify_template_count(&verify_case_e, 0, pub, npub[verify_case_a], &cpub);
		if (verify_case_e == 0)
			ps = verify_template_count(&verify_case_d, 0, priv, npriv[verify_case_c],
						   &cpriv);
		if (verify_case_e == 0 && verify_case_d == 0)
			verify_case_f = Frama_C_interval(0, 2);
	}

	/* The mechanism. */
	m.mechanism = rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN;
	mp = &m;
	h = verify_case_g == 2 ? ro : s;
	verify_case_b = 0;
	if (plain && verify_case_c == 0 && verify_case_g == 0) {
		mp = verify_mechanism(&verify_case_b, &m, mechs, 4);
		h = verify_session_handle(s);
	}
	rv = C_GenerateKeyPair(h, mp, pp, cpub, ps, cpriv, verify_case_f == 1 ? NULL : &hpub,
			       verify_case_f == 2 ? NULL : &hpriv);
	verify_done(rv);
	return 0;
}
