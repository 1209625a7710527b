/* Harness helpers (see setup.h). */
#include <limits.h>
#include <stdlib.h>

#include "core/attr.h"
#include "core/module.h"
#include "setup.h"

void verify_initialize(void)
{
	CK_RV rv;

	verify_setup = 1;
	rv = C_Initialize(NULL);
	//@ assert setup_initialize: rv == CKR_OK;
}

CK_SESSION_HANDLE verify_open_session(void)
{
	CK_SESSION_HANDLE h = 0;
	CK_RV rv;

	verify_initialize();
	rv = C_OpenSession(1, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h);
	//@ assert setup_open_session: rv == CKR_OK;
	return h;
}

CK_OBJECT_HANDLE verify_create(CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	CK_OBJECT_HANDLE h = 0;
	CK_RV rv;

	rv = C_CreateObject(s, tmpl, n, &h);
	//@ assert setup_create_object: rv == CKR_OK;
	return h;
}

void verify_maybe_initialize(void)
{
	verify_setup = 1;
	verify_case_f = Frama_C_interval(0, 1);
	if (verify_case_f)
		verify_initialize();
}

CK_OBJECT_HANDLE verify_ec_private_key(CK_SESSION_HANDLE s)
{
	static CK_OBJECT_CLASS priv = CKO_PRIVATE_KEY;
	static CK_KEY_TYPE ec = CKK_EC;
	static CK_BBOOL no = CK_FALSE;
	static CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static CK_BYTE scalar[32] = { 1 };
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &priv, sizeof(priv) },    { CKA_KEY_TYPE, &ec, sizeof(ec) },
		{ CKA_PRIVATE, &no, sizeof(no) },      { CKA_EC_PARAMS, p256, sizeof(p256) },
		{ CKA_VALUE, scalar, sizeof(scalar) },
	};

	return verify_create(s, tmpl, 5);
}

CK_OBJECT_HANDLE verify_ec_public_key(CK_SESSION_HANDLE s)
{
	static CK_OBJECT_CLASS pub = CKO_PUBLIC_KEY;
	static CK_KEY_TYPE ec = CKK_EC;
	static CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	/* DER OCTET STRING of an uncompressed point: 04 41 04 X Y. */
	static CK_BYTE point[67] = { 0x04, 0x41, 0x04, 1 };
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &pub, sizeof(pub) },
		{ CKA_KEY_TYPE, &ec, sizeof(ec) },
		{ CKA_EC_PARAMS, p256, sizeof(p256) },
		{ CKA_EC_POINT, point, sizeof(point) },
	};

	return verify_create(s, tmpl, 4);
}

CK_OBJECT_HANDLE verify_data_object(CK_SESSION_HANDLE s, int token)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_BYTE value[16] = { 1, 2, 3 };
	static char label[] = "label";
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_LABEL, label, sizeof(label) - 1 },
		{ CKA_VALUE, value, sizeof(value) },
		{ CKA_TOKEN, token ? &yes : &no, sizeof(yes) },
	};

	return verify_create(s, tmpl, 4);
}

CK_OBJECT_HANDLE verify_aes_key(CK_SESSION_HANDLE s)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
	static CK_KEY_TYPE aes = CKK_AES;
	static CK_BBOOL no = CK_FALSE;
	static CK_BYTE value[16] = { 1, 2, 3 };
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_VALUE, value, sizeof(value) },
	};

	return verify_create(s, tmpl, 4);
}

CK_OBJECT_HANDLE verify_aes_wrapping_key(CK_SESSION_HANDLE s)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
	static CK_KEY_TYPE aes = CKK_AES;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_BYTE value[16] = { 1 };
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, 1 },
		{ CKA_WRAP, &yes, 1 },
		{ CKA_UNWRAP, &yes, 1 },
		{ CKA_VALUE, value, sizeof(value) },
	};

	return verify_create(s, tmpl, 6);
}

CK_SESSION_HANDLE verify_digest_session(CK_ULONG *hashlen)
{
	CK_SESSION_HANDLE s = verify_open_session();

	verify_digest_state(s, hashlen);
	return s;
}

void verify_digest_state(CK_SESSION_HANDLE s, CK_ULONG *hashlen)
{
	static const CK_MECHANISM_TYPE types[] = { CKM_SHA_1, CKM_SHA256, CKM_SHA512 };
	static const CK_ULONG lens[] = { 20, 32, 64 };
	CK_MECHANISM m = { 0, NULL, 0 };
	CK_RV rv;

	verify_case_b = Frama_C_interval(0, 2);
	m.mechanism = types[verify_case_b];
	*hashlen = lens[verify_case_b];
	verify_case_g = Frama_C_interval(0, 4);
	if (verify_case_g >= 3) {
		/* A digest finished: its context is kept as the spare, which
		 * the next C_DigestInit restarts. */
		CK_BYTE out[64];
		CK_ULONG outlen = sizeof(out);

		rv = C_DigestInit(s, &m);
		//@ assert setup_digest_init: rv == CKR_OK;
		rv = C_Digest(s, NULL, 0, out, &outlen);
		//@ assert setup_digest: rv == CKR_OK;
	}
	if (verify_case_g == 1 || verify_case_g == 2 || verify_case_g == 4) {
		rv = C_DigestInit(s, &m);
		//@ assert setup_digest_init: rv == CKR_OK;
	}
	if (verify_case_g == 2) {
		rv = C_DigestUpdate(s, NULL, 0);
		//@ assert setup_digest_update: rv == CKR_OK;
	}
}

CK_SESSION_HANDLE verify_sig_session(int verify, CK_OBJECT_HANDLE keys[2])
{
	static const CK_MECHANISM_TYPE types[] = { CKM_ECDSA, CKM_ECDSA_SHA256 };
	static CK_BYTE part[5] = { 1 };
	CK_MECHANISM m = { 0, NULL, 0 };
	CK_SESSION_HANDLE s = verify_open_session();
	CK_OBJECT_HANDLE priv, pub;
	CK_RV rv;

	keys[0] = priv = verify_ec_private_key(s);
	keys[1] = pub = verify_ec_public_key(s);
	verify_case_b = Frama_C_interval(0, 1);
	m.mechanism = types[verify_case_b];
	verify_case_g = Frama_C_interval(0, 2);
	if (verify_case_g >= 1) {
		rv = verify ? C_VerifyInit(s, &m, pub) : C_SignInit(s, &m, priv);
		//@ assert setup_sig_init: rv == CKR_OK;
	}
	if (verify_case_g == 2) {
		session *ss = handle_get(&module.sessions, s);

		rv = verify ? C_VerifyUpdate(s, NULL, 0) : C_SignUpdate(s, NULL, 0);
		//@ assert setup_sig_update: rv == CKR_OK;
		/* Raw CKM_ECDSA collects its input: 5 bytes more, through
		 * op_update, as C_*Update makes after checking its arguments
		 * (C_*Update(s, part, 5) itself would compare (uintptr_t)part
		 * with UINTPTR_MAX - 5 in api_impossible_len, which EVA cannot
		 * decide for an address: its failure would join the states). */
		if (verify_case_b == 0) {
			rv = op_update(verify ? &ss->verify : &ss->sign, part, sizeof(part));
			//@ assert setup_sig_collect: rv == CKR_OK;
		}
	}
	return s;
}

void verify_login(CK_SESSION_HANDLE s, CK_USER_TYPE user)
{
	static CK_UTF8CHAR pin[] = "1234";
	CK_RV rv;

	verify_store_pins = 1;
	rv = C_Login(s, user, pin, sizeof(pin) - 1);
	//@ assert setup_login: rv == CKR_OK;
}

CK_SLOT_ID verify_slot_id(void)
{
	switch (Frama_C_interval_split(0, 4)) {
	case 0:
		return 1;
	case 1:
		return 2;
	case 2:
		return 0;
	case 3:
		return 3;
	default:
		return Frama_C_unsigned_long_interval(0, ULONG_MAX);
	}
}

CK_MECHANISM_PTR verify_mechanism(int *key, CK_MECHANISM *m, const CK_MECHANISM_TYPE *types, int n)
{
	static CK_BYTE param[8];

	*key = Frama_C_interval(0, 3 * n);
	if (*key == 3 * n)
		return NULL;
	m->mechanism = types[*key / 3];
	switch (*key % 3) {
	case 0:
		m->pParameter = NULL;
		m->ulParameterLen = 0;
		break;
	case 1:
		m->pParameter = NULL;
		m->ulParameterLen = 8;
		break;
	default:
		m->pParameter = param;
		m->ulParameterLen = sizeof(param);
		break;
	}
	return m;
}

int verify_case_a, verify_case_b, verify_case_c, verify_case_d, verify_case_e;
int verify_case_f, verify_case_g, verify_case_h, verify_case_i;

static CK_ULONG case_len(int k, CK_ULONG near, int input)
{
	/* An input is read whole: lengths the module may accept get a real
	 * buffer of that length, not the 2^32-ish ones. */
	if (input && k == 6)
		return 1025;
	if (input && k == 7)
		return 2048;
	switch (k) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return near > 0 ? near - 1 : 0;
	case 3:
		return near;
	case 4:
		return near + 1;
	case 5:
		return VERIFY_CAP;
	case 6:
		return (CK_ULONG)1 << 32;
	case 7:
		return ((CK_ULONG)1 << 32) + near;
	case 8:
		return (CK_ULONG)PTRDIFF_MAX + 1;
	case 9:
		return ((CK_ULONG)1 << 63) + 1;
	default:
		return ULONG_MAX;
	}
}

void verify_len_buffer(int *key, CK_ULONG near, size_t unit, int input, CK_ULONG *len, void **buf)
{
	void *bufs[VERIFY_LEN_CASES - 1];
	int k;

	for (k = 0; k < VERIFY_LEN_CASES - 1; k++) {
		CK_ULONG l = case_len(k, near, input);
		size_t cap = input ? 2048 : VERIFY_CAP;
		size_t n = (l < cap ? (size_t)l : cap) * unit;

		bufs[k] = malloc(n ? n : 1);
		//@ assert harness_malloc: bufs[k] != \null;
		Frama_C_make_unknown(bufs[k], n ? n : 1);
	}
	*key = Frama_C_interval(0, VERIFY_LEN_CASES - 1);
	if (*key == VERIFY_LEN_CASES - 1) {
		*len = Frama_C_unsigned_long_interval(0, ULONG_MAX);
		*buf = NULL;
	} else {
		*len = case_len(*key, near, input);
		*buf = bufs[*key];
	}
}

CK_SESSION_HANDLE verify_session_handle(CK_SESSION_HANDLE open)
{
	switch (Frama_C_interval_split(0, 3)) {
	case 0:
		return open;
	case 1:
		return 0;
	case 2:
		/* The same slot, another generation: a closed session's handle. */
		return open + ((CK_ULONG)1 << 24);
	default:
		return Frama_C_unsigned_long_interval(0, ULONG_MAX);
	}
}

CK_OBJECT_HANDLE verify_object_handle(int *key, const CK_OBJECT_HANDLE *h, int n)
{
	*key = Frama_C_interval(0, n + 4);
	if (*key < n)
		return h[*key];
	switch (*key - n) {
	case 0:
		return 0;
	case 1:
		return h[0] + ((CK_ULONG)1 << 24);
	case 2:
		return (h[0] & ~(((CK_ULONG)1 << 24) - 1)) | (((CK_ULONG)1 << 24) - 1);
	case 3:
		return (CK_ULONG)1 << 24;
	default:
		return ULONG_MAX;
	}
}

void verify_done(CK_RV rv)
{
	//@ assert lock_released: verify_locks_held == 0;
	Frama_C_show_each_verify_done(rv);
}

void verify_mutate(int *key, CK_ATTRIBUTE *tmpl, CK_ULONG n, int first_too)
{
	static CK_ULONG vendor = CKO_VENDOR_DEFINED | 1;
	static CK_BYTE small[16];
	static CK_BYTE big[ATTR_MAX_VALUE];
	CK_ATTRIBUTE *e;
	int kind;

	*key = Frama_C_interval(0, (first_too ? 2 : 1) * VERIFY_MUTATIONS);
	if (*key == 0)
		return;
	Frama_C_make_unknown((char *)small, sizeof(small));
	e = &tmpl[(*key - 1) / VERIFY_MUTATIONS == 0 ? n - 1 : 0];
	kind = (*key - 1) % VERIFY_MUTATIONS;
	switch (kind) {
	case 0:
		e->pValue = NULL;
		e->ulValueLen = 0;
		break;
	case 1:
		e->pValue = NULL;
		e->ulValueLen = 8;
		break;
	case 2:
		e->pValue = small;
		e->ulValueLen = 0;
		break;
	case 3:
		e->pValue = small;
		e->ulValueLen = 1;
		break;
	case 4:
		e->pValue = small;
		e->ulValueLen = ATTR_MAX_VALUE + 1;
		break;
	case 5:
		e->pValue = small;
		e->ulValueLen = (CK_ULONG)1 << 32;
		break;
	case 6:
		e->pValue = small;
		e->ulValueLen = (CK_ULONG)PTRDIFF_MAX + 1;
		break;
	case 7:
		e->pValue = small;
		e->ulValueLen = ULONG_MAX;
		break;
	case 8:
		Frama_C_make_unknown((char *)big, sizeof(big));
		e->pValue = big;
		e->ulValueLen = sizeof(big);
		break;
	case 9:
		if (e->type == CKA_CLASS || e->type == CKA_KEY_TYPE ||
		    e->type == CKA_CERTIFICATE_TYPE) {
			/* Not unknown: an unknown class makes an object of
			 * any kind, which EVA joins (see setup.h). */
			e->pValue = &vendor;
			break;
		}
		e->pValue = small;
		if (e->ulValueLen > sizeof(small))
			e->ulValueLen = sizeof(small);
		break;
	case 10:
		e->type = CKA_VENDOR_DEFINED | 1;
		break;
	default:
		e->type = ULONG_MAX;
		break;
	}
}

CK_ATTRIBUTE *verify_template_count(int *key, int full_only, CK_ATTRIBUTE *tmpl, CK_ULONG n,
				    CK_ULONG *count)
{
	*key = full_only ? 0 : Frama_C_interval(0, VERIFY_COUNT_CASES - 1);
	switch (*key) {
	case 0:
		*count = n;
		return tmpl;
	case 1:
		*count = 0;
		return NULL;
	case 2:
		*count = n;
		return NULL;
	case 3:
		*count = 0;
		return tmpl;
	case 4:
		*count = 1;
		return tmpl;
	case 5:
		*count = ATTR_MAX_TEMPLATE + 1;
		return tmpl;
	default:
		*count = ULONG_MAX;
		return tmpl;
	}
}
