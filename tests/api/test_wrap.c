/*
 * C_WrapKey and C_UnwrapKey (v2.40 5.14) with the AES key wraps, AES-CBC
 * with padding and RSA-OAEP, their policies (CKA_WRAP, CKA_UNWRAP,
 * CKA_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED / CKA_TRUSTED), and the
 * key-extraction attacks on PKCS#11 tokens that a wrapping token must
 * refuse: Clulow's wrap/decrypt and Tookan's unwrap/encrypt and re-import
 * sequences, tried the way an attacker holding a session would.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

/* A session AES key; extra usages as CKA_* = TRUE pairs ending with 0. */
static CK_RV aes_rv(CK_SESSION_HANDLE s, CK_ULONG len, CK_BBOOL extractable, CK_BBOOL sensitive,
		    CK_OBJECT_HANDLE *k, const CK_ATTRIBUTE_TYPE *uses)
{
	CK_MECHANISM m = { CKM_AES_KEY_GEN, NULL, 0 };
	h_tmpl t;

	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, len);
	t_bool(&t, CKA_EXTRACTABLE, extractable);
	t_bool(&t, CKA_SENSITIVE, sensitive);
	for (; uses != NULL && *uses != 0; uses++)
		t_bool(&t, *uses, CK_TRUE);
	return p11->C_GenerateKey(s, &m, t.a, t.n, k);
}

static CK_OBJECT_HANDLE aes(CK_SESSION_HANDLE s, CK_ULONG len, CK_BBOOL extractable,
			    CK_BBOOL sensitive, const CK_ATTRIBUTE_TYPE *uses)
{
	CK_OBJECT_HANDLE k;

	assert_ok(aes_rv(s, len, extractable, sensitive, &k, uses));
	return k;
}

static const CK_ATTRIBUTE_TYPE WRAP_UNWRAP[] = { CKA_WRAP, CKA_UNWRAP, 0 };
static const CK_ATTRIBUTE_TYPE ENC_DEC[] = { CKA_ENCRYPT, CKA_DECRYPT, 0 };

static CK_RV unwrap_aes(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE kek,
			const unsigned char *blob, CK_ULONG n, CK_BBOOL sensitive,
			CK_ATTRIBUTE_TYPE use, CK_OBJECT_HANDLE *out)
{
	h_tmpl t;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_AES);
	t_bool(&t, CKA_SENSITIVE, sensitive);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	if (use != 0)
		t_bool(&t, use, CK_TRUE);
	return p11->C_UnwrapKey(s, m, kek, (CK_BYTE_PTR)blob, n, t.a, t.n, out);
}

/* The same encryption of one block by two keys (their values equal). */
static void assert_same_key(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE a, CK_OBJECT_HANDLE b)
{
	CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
	unsigned char in[16] = { 1, 2, 3 }, x[16], y[16];
	CK_ULONG n = sizeof(x);

	assert_ok(p11->C_EncryptInit(s, &ecb, a));
	assert_ok(p11->C_Encrypt(s, in, 16, x, &n));
	n = sizeof(y);
	assert_ok(p11->C_EncryptInit(s, &ecb, b));
	assert_ok(p11->C_Encrypt(s, in, 16, y, &n));
	assert_memory_equal(x, y, 16);
}

static void test_wrap_round_trip(void **state)
{
	static const CK_MECHANISM_TYPE mechs[] = { CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD,
						   CKM_AES_CBC_PAD };
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	unsigned char iv[16] = { 3 }, blob[128];
	CK_OBJECT_HANDLE kek, key, back;
	CK_ULONG n, need;
	size_t i;

	(void)state;
	h_login(s, CKU_USER);
	kek = aes(s, 32, CK_FALSE, CK_TRUE, WRAP_UNWRAP);
	key = aes(s, 24, CK_TRUE, CK_TRUE, ENC_DEC);
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		CK_MECHANISM m = { mechs[i], NULL, 0 };

		if (mechs[i] == CKM_AES_CBC_PAD) {
			m.pParameter = iv;
			m.ulParameterLen = sizeof(iv);
		}
		/* Two calls: the length, then the blob. */
		assert_ok(p11->C_WrapKey(s, &m, kek, key, NULL, &need));
		n = need - 1;
		assert_rv(p11->C_WrapKey(s, &m, kek, key, blob, &n), CKR_BUFFER_TOO_SMALL);
		assert_int_equal(n, need);
		n = sizeof(blob);
		assert_ok(p11->C_WrapKey(s, &m, kek, key, blob, &n));
		assert_int_equal(n, need);
		assert_int_equal(n, 32); /* 24 bytes: 8 of integrity check or of padding */
		/* And back: an equal key, not local, never "always sensitive". */
		assert_ok(unwrap_aes(s, &m, kek, blob, n, CK_TRUE, CKA_ENCRYPT, &back));
		assert_same_key(s, key, back);
		assert_false(h_get_bool(s, back, CKA_LOCAL));
		assert_false(h_get_bool(s, back, CKA_ALWAYS_SENSITIVE));
		assert_false(h_get_bool(s, back, CKA_NEVER_EXTRACTABLE));
		assert_int_equal(h_get_ulong(s, back, CKA_VALUE_LEN), 24);
		/* A changed blob is refused. */
		blob[n - 1] ^= 1;
		assert_rv(unwrap_aes(s, &m, kek, blob, n, CK_TRUE, 0, &back),
			  CKR_WRAPPED_KEY_INVALID);
	}
}

static void test_wrap_checks(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 }, ecb = { CKM_AES_ECB, NULL, 0 };
	CK_OBJECT_HANDLE kek, plain, key, locked, trusted_only, pub, priv, out;
	unsigned char blob[64];
	CK_ULONG n = sizeof(blob);
	h_tmpl t;

	(void)state;
	h_login(s, CKU_USER);
	kek = aes(s, 16, CK_FALSE, CK_TRUE, WRAP_UNWRAP);
	plain = aes(s, 16, CK_FALSE, CK_TRUE, ENC_DEC);
	key = aes(s, 16, CK_TRUE, CK_TRUE, NULL);
	locked = aes(s, 16, CK_FALSE, CK_TRUE, NULL);
	h_gen_ec(s, &h_curves[0], CK_FALSE, &pub, &priv);
	/* Handles, mechanism, wrapping key. */
	assert_rv(p11->C_WrapKey(s, &kw, 0x7fff0000, key, blob, &n),
		  CKR_WRAPPING_KEY_HANDLE_INVALID);
	assert_rv(p11->C_WrapKey(s, &kw, kek, 0x7fff0000, blob, &n), CKR_KEY_HANDLE_INVALID);
	assert_rv(p11->C_WrapKey(s, &ecb, kek, key, blob, &n), CKR_MECHANISM_INVALID);
	assert_rv(p11->C_WrapKey(s, &kw, plain, key, blob, &n), CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_rv(p11->C_WrapKey(s, &kw, pub, key, blob, &n), CKR_WRAPPING_KEY_TYPE_INCONSISTENT);
	assert_rv(p11->C_WrapKey(s, NULL, kek, key, blob, &n), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_WrapKey(s, &kw, kek, key, blob, NULL), CKR_ARGUMENTS_BAD);
	/* The key to wrap. */
	assert_rv(p11->C_WrapKey(s, &kw, kek, locked, blob, &n), CKR_KEY_UNEXTRACTABLE);
	assert_rv(p11->C_WrapKey(s, &kw, kek, priv, blob, &n), CKR_KEY_NOT_WRAPPABLE);
	/* CKA_WRAP_WITH_TRUSTED: only a CKA_TRUSTED key wraps it, and only
	 * the SO makes a key trusted. */
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	t_bool(&t, CKA_WRAP_WITH_TRUSTED, CK_TRUE);
	{
		CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 };

		assert_ok(p11->C_GenerateKey(s, &gen, t.a, t.n, &trusted_only));
	}
	n = sizeof(blob);
	assert_rv(p11->C_WrapKey(s, &kw, kek, trusted_only, blob, &n), CKR_KEY_NOT_WRAPPABLE);
	n = sizeof(blob);
	assert_ok(p11->C_WrapKey(s, &kw, kek, key, blob, &n));
	/* Unwrapping: template, key, blob. */
	assert_rv(unwrap_aes(s, &kw, plain, blob, n, CK_TRUE, 0, &out),
		  CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_rv(unwrap_aes(s, &kw, 0x7fff0000, blob, n, CK_TRUE, 0, &out),
		  CKR_UNWRAPPING_KEY_HANDLE_INVALID);
	assert_rv(unwrap_aes(s, &kw, kek, blob, n - 8, CK_TRUE, 0, &out),
		  CKR_WRAPPED_KEY_LEN_RANGE);
	assert_rv(unwrap_aes(s, &kw, kek, blob, n - 1, CK_TRUE, 0, &out),
		  CKR_WRAPPED_KEY_LEN_RANGE);
	blob[0] ^= 0x80;
	assert_rv(unwrap_aes(s, &kw, kek, blob, n, CK_TRUE, 0, &out), CKR_WRAPPED_KEY_INVALID);
	blob[0] ^= 0x80;
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	assert_rv(p11->C_UnwrapKey(s, &kw, kek, blob, n, t.a, t.n, &out), CKR_TEMPLATE_INCOMPLETE);
	t_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	assert_rv(p11->C_UnwrapKey(s, &kw, kek, blob, n, t.a, t.n, &out),
		  CKR_TEMPLATE_INCONSISTENT);
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_AES);
	t_ulong(&t, CKA_VALUE_LEN, 32);
	assert_rv(p11->C_UnwrapKey(s, &kw, kek, blob, n, t.a, t.n, &out),
		  CKR_TEMPLATE_INCONSISTENT);
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_AES);
	assert_ok(p11->C_UnwrapKey(s, &kw, kek, blob, n, t.a, t.n, &out));
	assert_true(h_get_bool(s, out, CKA_SENSITIVE));
}

/*
 * Clulow (CHES 2003): with a key that may both wrap and decrypt, wrap a
 * sensitive key and decrypt the blob to read it. The token refuses such a
 * key at creation, at generation, and when C_SetAttributeValue would make
 * one; and a wrap-only key refuses to decrypt.
 */
static void test_attack_wrap_decrypt(void **state)
{
	static const CK_ATTRIBUTE_TYPE both[] = { CKA_WRAP, CKA_DECRYPT, 0 };
	static const CK_ATTRIBUTE_TYPE wrap_only[] = { CKA_WRAP, 0 };
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_OBJECT_HANDLE k, victim;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE set = { CKA_DECRYPT, &yes, sizeof(yes) };
	unsigned char blob[64], pt[64];
	CK_ULONG n = sizeof(blob);
	h_tmpl t;

	(void)state;
	h_login(s, CKU_USER);
	assert_rv(aes_rv(s, 16, CK_FALSE, CK_TRUE, &k, both), CKR_TEMPLATE_INCONSISTENT);
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bool(&t, CKA_WRAP, CK_TRUE);
	t_bool(&t, CKA_DECRYPT, CK_TRUE);
	assert_rv(h_create_rv(s, &t, &k), CKR_TEMPLATE_INCONSISTENT);
	k = aes(s, 16, CK_FALSE, CK_TRUE, wrap_only);
	assert_rv(p11->C_SetAttributeValue(s, k, &set, 1), CKR_TEMPLATE_INCONSISTENT);
	assert_false(h_get_bool(s, k, CKA_DECRYPT));
	/* C_CopyObject cannot make one either. */
	{
		CK_OBJECT_HANDLE copy;

		assert_rv(p11->C_CopyObject(s, k, &set, 1, &copy), CKR_TEMPLATE_INCONSISTENT);
	}
	victim = aes(s, 16, CK_TRUE, CK_TRUE, NULL);
	assert_ok(p11->C_WrapKey(s, &kw, k, victim, blob, &n));
	assert_rv(p11->C_DecryptInit(s, &kw, k), CKR_KEY_FUNCTION_NOT_PERMITTED);
	(void)pt;
}

/*
 * Tookan (Bortolozzo et al., CCS 2010), two of its attacks:
 * - unwrap/encrypt: with a key that may unwrap and encrypt, encrypt a
 *   value of the attacker's choice and unwrap it as a key: the attacker
 *   knows a "secret" key's value. Refused as above.
 * - re-import: wrap an extractable sensitive key, unwrap the blob with
 *   CKA_SENSITIVE FALSE and read CKA_VALUE. An unwrapped key is never
 *   made non-sensitive.
 */
static void test_attack_tookan(void **state)
{
	static const CK_ATTRIBUTE_TYPE both[] = { CKA_UNWRAP, CKA_ENCRYPT, 0 };
	static const CK_ATTRIBUTE_TYPE unwrap_only[] = { CKA_UNWRAP, 0 };
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_OBJECT_HANDLE k, kek, victim, out;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE set = { CKA_ENCRYPT, &yes, sizeof(yes) };
	unsigned char blob[64], value[32];
	CK_ULONG n = sizeof(blob);

	(void)state;
	h_login(s, CKU_USER);
	assert_rv(aes_rv(s, 16, CK_FALSE, CK_TRUE, &k, both), CKR_TEMPLATE_INCONSISTENT);
	k = aes(s, 16, CK_FALSE, CK_TRUE, unwrap_only);
	assert_rv(p11->C_SetAttributeValue(s, k, &set, 1), CKR_TEMPLATE_INCONSISTENT);
	assert_rv(p11->C_EncryptInit(s, &kw, k), CKR_KEY_FUNCTION_NOT_PERMITTED);

	kek = aes(s, 16, CK_FALSE, CK_TRUE, WRAP_UNWRAP);
	victim = aes(s, 16, CK_TRUE, CK_TRUE, NULL);
	assert_ok(p11->C_WrapKey(s, &kw, kek, victim, blob, &n));
	assert_rv(unwrap_aes(s, &kw, kek, blob, n, CK_FALSE, 0, &out), CKR_TEMPLATE_INCONSISTENT);
	assert_ok(unwrap_aes(s, &kw, kek, blob, n, CK_TRUE, 0, &out));
	/* Sensitive for good: the value stays hidden, and the flag cannot be
	 * cleared. */
	{
		CK_BBOOL no = CK_FALSE;
		CK_ATTRIBUTE get = { CKA_VALUE, value, sizeof(value) };
		CK_ATTRIBUTE clear = { CKA_SENSITIVE, &no, sizeof(no) };

		assert_rv(p11->C_GetAttributeValue(s, out, &get, 1), CKR_ATTRIBUTE_SENSITIVE);
		assert_rv(p11->C_SetAttributeValue(s, out, &clear, 1), CKR_ATTRIBUTE_READ_ONLY);
	}
}

/* CKA_WRAP_TEMPLATE and CKA_UNWRAP_TEMPLATE (SECURITY.md rows 12, 13): the
 * keys a key may wrap, and what the keys it unwraps must be; read back with
 * the two-level convention; one level of nesting only. */
static void test_templates(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 }, kw = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG len32 = 32, kt = CKK_AES;
	CK_ATTRIBUTE wrap_t[] = { { CKA_KEY_TYPE, &kt, sizeof(kt) },
				  { CKA_VALUE_LEN, &len32, sizeof(len32) } };
	CK_ATTRIBUTE unwrap_t[] = { { CKA_EXTRACTABLE, &no, sizeof(no) },
				    { CKA_DECRYPT, &yes, sizeof(yes) } };
	CK_ATTRIBUTE nested[] = { { CKA_WRAP_TEMPLATE, wrap_t, sizeof(wrap_t) } };
	CK_OBJECT_HANDLE kek, k16, k32, out;
	unsigned char blob[64], v1[16], v2[16];
	CK_ATTRIBUTE back[2];
	CK_ATTRIBUTE get = { CKA_WRAP_TEMPLATE, NULL, 0 };
	CK_ULONG n = sizeof(blob);
	h_tmpl t;

	(void)state;
	h_login(s, CKU_USER);
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	t_bool(&t, CKA_WRAP, CK_TRUE);
	t_bool(&t, CKA_UNWRAP, CK_TRUE);
	t_raw(&t, CKA_WRAP_TEMPLATE, wrap_t, sizeof(wrap_t));
	t_raw(&t, CKA_UNWRAP_TEMPLATE, unwrap_t, sizeof(unwrap_t));
	assert_ok(p11->C_GenerateKey(s, &gen, t.a, t.n, &kek));
	k16 = aes(s, 16, CK_TRUE, CK_TRUE, NULL);
	k32 = aes(s, 32, CK_TRUE, CK_TRUE, NULL);
	assert_rv(p11->C_WrapKey(s, &kw, kek, k16, blob, &n), CKR_KEY_NOT_WRAPPABLE);
	n = sizeof(blob);
	assert_ok(p11->C_WrapKey(s, &kw, kek, k32, blob, &n));
	/* The unwrap template is imposed; a caller's template against it is
	 * inconsistent. */
	assert_rv(unwrap_aes(s, &kw, kek, blob, n, CK_TRUE, 0, &out), CKR_TEMPLATE_INCONSISTENT);
	{
		h_tmpl u;

		t_init(&u);
		t_ulong(&u, CKA_CLASS, CKO_SECRET_KEY);
		t_ulong(&u, CKA_KEY_TYPE, CKK_AES);
		assert_ok(p11->C_UnwrapKey(s, &kw, kek, blob, n, u.a, u.n, &out));
		assert_false(h_get_bool(s, out, CKA_EXTRACTABLE));
		assert_true(h_get_bool(s, out, CKA_DECRYPT));
	}
	/* Reading the template back: the length, then the entries' lengths,
	 * then the values. */
	assert_ok(p11->C_GetAttributeValue(s, kek, &get, 1));
	assert_int_equal(get.ulValueLen, sizeof(back));
	memset(back, 0, sizeof(back));
	get.pValue = back;
	assert_ok(p11->C_GetAttributeValue(s, kek, &get, 1));
	assert_int_equal(back[0].type, CKA_KEY_TYPE);
	assert_int_equal(back[0].ulValueLen, sizeof(CK_ULONG));
	assert_int_equal(back[1].type, CKA_VALUE_LEN);
	back[0].pValue = v1;
	back[1].pValue = v2;
	back[1].ulValueLen = 2;
	assert_rv(p11->C_GetAttributeValue(s, kek, &get, 1), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(back[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	back[1].ulValueLen = sizeof(v2);
	assert_ok(p11->C_GetAttributeValue(s, kek, &get, 1));
	assert_memory_equal(v1, &kt, sizeof(kt));
	assert_memory_equal(v2, &len32, sizeof(len32));
	get.ulValueLen = sizeof(back) - 1;
	assert_rv(p11->C_GetAttributeValue(s, kek, &get, 1), CKR_BUFFER_TOO_SMALL);
	/* No template inside a template; not changeable after creation. */
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	t_bool(&t, CKA_WRAP, CK_TRUE);
	t_raw(&t, CKA_WRAP_TEMPLATE, nested, sizeof(nested));
	assert_rv(p11->C_GenerateKey(s, &gen, t.a, t.n, &out), CKR_ATTRIBUTE_VALUE_INVALID);
	{
		CK_ATTRIBUTE set = { CKA_WRAP_TEMPLATE, NULL, 0 };

		assert_rv(p11->C_SetAttributeValue(s, kek, &set, 1), CKR_ATTRIBUTE_READ_ONLY);
	}
	/* Found by its template (the stored form compares). */
	{
		CK_ATTRIBUTE find = { CKA_WRAP_TEMPLATE, wrap_t, sizeof(wrap_t) };
		CK_OBJECT_HANDLE found[4];

		assert_int_equal(h_find(s, &find, 1, found, 4), 1);
		assert_int_equal(found[0], kek);
	}
}

/* Token keys with templates survive a restart of the module: the stored
 * form of an attribute array is read back, and still imposed. */
static void test_templates_stored(void **state)
{
	CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 }, kw = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG len32 = 32;
	CK_ATTRIBUTE wrap_t[] = { { CKA_VALUE_LEN, &len32, sizeof(len32) } };
	CK_ATTRIBUTE unwrap_t[] = { { CKA_EXTRACTABLE, &no, sizeof(no) },
				    { CKA_SIGN, &yes, sizeof(yes) } };
	CK_ATTRIBUTE back[2], get = { CKA_UNWRAP_TEMPLATE, back, sizeof(back) };
	CK_OBJECT_HANDLE kek, k16, k32, found[2];
	CK_ATTRIBUTE by_label = { CKA_LABEL, "kek", 3 };
	unsigned char blob[64];
	CK_ULONG n = sizeof(blob);
	CK_SESSION_HANDLE s;
	h_tmpl t;

	(void)state;
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_str(&t, CKA_LABEL, "kek");
	t_bool(&t, CKA_WRAP, CK_TRUE);
	t_bool(&t, CKA_UNWRAP, CK_TRUE);
	t_raw(&t, CKA_WRAP_TEMPLATE, wrap_t, sizeof(wrap_t));
	t_raw(&t, CKA_UNWRAP_TEMPLATE, unwrap_t, sizeof(unwrap_t));
	assert_ok(p11->C_GenerateKey(s, &gen, t.a, t.n, &kek));
	h_reinit();
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	assert_int_equal(h_find(s, &by_label, 1, found, 2), 1);
	kek = found[0];
	memset(back, 0, sizeof(back));
	assert_ok(p11->C_GetAttributeValue(s, kek, &get, 1));
	assert_int_equal(get.ulValueLen, sizeof(back));
	assert_int_equal(back[0].type, CKA_EXTRACTABLE);
	assert_int_equal(back[1].type, CKA_SIGN);
	k16 = aes(s, 16, CK_TRUE, CK_TRUE, NULL);
	k32 = aes(s, 32, CK_TRUE, CK_TRUE, NULL);
	assert_rv(p11->C_WrapKey(s, &kw, kek, k16, blob, &n), CKR_KEY_NOT_WRAPPABLE);
	n = sizeof(blob);
	assert_ok(p11->C_WrapKey(s, &kw, kek, k32, blob, &n));
	{
		CK_OBJECT_HANDLE out;
		h_tmpl u;

		t_init(&u);
		t_ulong(&u, CKA_CLASS, CKO_SECRET_KEY);
		t_ulong(&u, CKA_KEY_TYPE, CKK_AES);
		t_bool(&u, CKA_TOKEN, CK_TRUE);
		assert_ok(p11->C_UnwrapKey(s, &kw, kek, blob, n, u.a, u.n, &out));
		assert_true(h_get_bool(s, out, CKA_SIGN));
		assert_false(h_get_bool(s, out, CKA_EXTRACTABLE));
	}
}

/* RSA-OAEP wraps an AES key for the private key's holder. */
static void test_wrap_oaep(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_RSA_PKCS_OAEP_PARAMS p = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0 };
	CK_MECHANISM m = { CKM_RSA_PKCS_OAEP, &p, sizeof(p) };
	CK_OBJECT_HANDLE pub, priv, key, back;
	unsigned char blob[256];
	CK_ULONG n = sizeof(blob);
	h_tmpl pt, st;

	(void)state;
	h_login(s, CKU_USER);
	t_init(&pt);
	t_ulong(&pt, CKA_MODULUS_BITS, 2048);
	t_bool(&pt, CKA_WRAP, CK_TRUE);
	t_init(&st);
	t_bool(&st, CKA_UNWRAP, CK_TRUE);
	assert_ok(h_gen_pair_rv(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &pt, &st, &pub, &priv));
	key = aes(s, 32, CK_TRUE, CK_TRUE, ENC_DEC);
	assert_ok(p11->C_WrapKey(s, &m, pub, key, blob, &n));
	assert_int_equal(n, 256);
	assert_ok(unwrap_aes(s, &m, priv, blob, n, CK_TRUE, CKA_ENCRYPT, &back));
	assert_same_key(s, key, back);
	blob[10] ^= 1;
	assert_rv(unwrap_aes(s, &m, priv, blob, n, CK_TRUE, 0, &back), CKR_WRAPPED_KEY_INVALID);
	assert_rv(unwrap_aes(s, &m, pub, blob, n, CK_TRUE, 0, &back),
		  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wrap_round_trip, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_wrap_checks, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_attack_wrap_decrypt, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_attack_tookan, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_wrap_oaep, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_templates, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_templates_stored, h_setup_token, h_teardown),
	};

	h_load();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
