/*
 * Bad input through the function list (SECURITY.md rows 1, 28, 29, 37; issue
 * 7 "Bad input never crashes the module"), as tables of cases, each with the
 * exact code PKCS#11 v2.40 gives:
 *
 *   (a) NULL for each required pointer of every function: CKR_ARGUMENTS_BAD,
 *       and the valid NULLs (size queries, empty templates) work; the same
 *       table before C_Initialize and after C_Finalize gives
 *       CKR_CRYPTOKI_NOT_INITIALIZED before any argument is read;
 *   (b) huge counts and lengths (2^40, ULONG_MAX, 2^32 + n that would
 *       truncate to a small valid one) with small real buffers: refused
 *       before anything is read, or (where the module legitimately writes
 *       only the real length) answered without writing past it;
 *   (c) handles of every wrong kind, for every function taking a session,
 *       object, key or slot handle;
 *   (d) calls in the wrong state: operations not initialized or already
 *       active, login states, R/O sessions, private objects without login.
 *
 * Every mismatch is printed, then the test fails with their number.
 * Existing per-area tests (test_session.c check_dead_handle, test_pin.c
 * test_huge_pin_length, test_sign_state.c test_data_lengths, ...) keep their
 * cases; these tables add the sweeps they lack.
 */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

#define AB CKR_ARGUMENTS_BAD
#define NI CKR_CRYPTOKI_NOT_INITIALIZED
#define OPNI CKR_OPERATION_NOT_INITIALIZED
#define OA CKR_OPERATION_ACTIVE
#define FNS CKR_FUNCTION_NOT_SUPPORTED
#define DLR CKR_DATA_LEN_RANGE
#define AVI CKR_ATTRIBUTE_VALUE_INVALID
#define OHI CKR_OBJECT_HANDLE_INVALID
#define KHI CKR_KEY_HANDLE_INVALID
#define SHI CKR_SESSION_HANDLE_INVALID
#define SRO CKR_SESSION_READ_ONLY
#define UNLI CKR_USER_NOT_LOGGED_IN
/* A case whose call succeeded but answered a wrong length or wrote past it. */
#define WRONG ((CK_RV)0x8badf00dUL)

#define BIG40 ((CK_ULONG)1 << 40)
#define UMAX (~(CK_ULONG)0)
#define WRAP32(n) (((CK_ULONG)1 << 32) + (CK_ULONG)(n))

/* What the cases use: the slot, a session (R/W, the user logged in), and
 * objects owned by another session (session objects are the application's:
 * every session may use them). */
typedef struct fixture {
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s, keeper;
	CK_OBJECT_HANDLE data, pub, priv, secret, rsa_pub, rsa_priv;
} fixture;

/* Buffers, templates and mechanisms of a case, fresh for each. */
typedef struct scratch {
	CK_BYTE buf[640];
	CK_ULONG len;
	CK_SLOT_ID slots[8];
	CK_MECHANISM_TYPE mechs[64];
	CK_OBJECT_HANDLE objs[16], o, o2;
	CK_OBJECT_CLASS cls;
	CK_BBOOL yes;
	CK_UTF8CHAR label[32];
	CK_ATTRIBUTE tmpl[2]; /* class data, label: a valid data object */
	CK_ATTRIBUTE get[1];  /* CKA_LABEL into buf */
	CK_ATTRIBUTE set[1];  /* CKA_LABEL "renamed" */
	CK_ATTRIBUTE pub_t[1], priv_t[1];
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_MECHANISM ecdsa, ecdsa_raw, sha, aes_cbc, aes_gen, ec_gen, kw, ecdh, big_param, pss_wrap,
		sha_big_param;
} scratch;

static fixture fx;
static int mismatches;

static void scratch_init(scratch *x)
{
	memset(x, 0, sizeof(*x));
	memset(x->buf, 0xA5, sizeof(x->buf));
	x->len = sizeof(x->buf);
	x->cls = CKO_DATA;
	x->yes = CK_TRUE;
	h_pad(x->label, sizeof(x->label), "bad input");
	x->tmpl[0] = (CK_ATTRIBUTE){ CKA_CLASS, &x->cls, sizeof(x->cls) };
	x->tmpl[1] = (CK_ATTRIBUTE){ CKA_LABEL, "made", 4 };
	x->get[0] = (CK_ATTRIBUTE){ CKA_LABEL, x->buf, 64 };
	x->set[0] = (CK_ATTRIBUTE){ CKA_LABEL, "renamed", 7 };
	x->pub_t[0] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)h_curves[0].oid, h_curves[0].oid_len };
	x->priv_t[0] = (CK_ATTRIBUTE){ CKA_SIGN, &x->yes, 1 };
	x->pss = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, CKG_MGF1_SHA256, 32 };
	x->ecdsa = (CK_MECHANISM){ CKM_ECDSA_SHA256, NULL, 0 };
	x->ecdsa_raw = (CK_MECHANISM){ CKM_ECDSA, NULL, 0 };
	x->sha = (CK_MECHANISM){ CKM_SHA256, NULL, 0 };
	x->aes_cbc = (CK_MECHANISM){ CKM_AES_CBC, x->buf, 16 };
	x->aes_gen = (CK_MECHANISM){ CKM_AES_KEY_GEN, NULL, 0 };
	x->ec_gen = (CK_MECHANISM){ CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	x->kw = (CK_MECHANISM){ CKM_AES_KEY_WRAP, NULL, 0 };
	x->ecdh = (CK_MECHANISM){ CKM_ECDH1_DERIVE, NULL, 0 };
	x->big_param = (CK_MECHANISM){ CKM_ECDSA_SHA256, x->buf, BIG40 };
	x->pss_wrap = (CK_MECHANISM){ CKM_SHA256_RSA_PKCS_PSS, &x->pss, WRAP32(sizeof(x->pss)) };
	x->sha_big_param = (CK_MECHANISM){ CKM_SHA256, x->buf, BIG40 };
}

/* A size query's answer: rv, or WRONG when the length is not want (0:
 * any non-zero length). */
static CK_RV size_is(CK_RV rv, const scratch *x, CK_ULONG want)
{
	if (rv == CKR_OK && (want == 0 ? x->len == 0 : x->len != want))
		return WRONG;
	return rv;
}

/* The call wrote len bytes into x->buf and nothing after them. */
static CK_RV wrote(CK_RV rv, const scratch *x, CK_ULONG len)
{
	size_t i;

	if (rv != CKR_OK)
		return rv;
	if (x->len != len)
		return WRONG;
	for (i = len; i < sizeof(x->buf); i++)
		if (x->buf[i] != 0xA5)
			return WRONG;
	return CKR_OK;
}

/* An operation to start before the case's call, and what must hold after
 * it (row 37: any error but CKR_BUFFER_TOO_SMALL ends the operation, a
 * size query keeps it). */
enum prep { P_NONE, P_SIGN, P_SIGN_RAW, P_VERIFY, P_VERIFY_RAW, P_DIGEST, P_FIND };
enum after { A_NA, A_ENDED, A_ACTIVE };

typedef CK_RV (*case_fn)(const fixture *f, scratch *x);

typedef struct bad_case {
	const char *name;
	enum prep prep;
	CK_RV want;
	enum after after;
	case_fn call;
} bad_case;

static void report(const char *table, const char *name, const char *what, CK_RV got, CK_RV want)
{
	print_error("%s/%s: %s gave %s (0x%lx), expected %s\n", table, name, what, h_rv_name(got),
		    (unsigned long)got, h_rv_name(want));
	mismatches++;
}

static CK_RV start(const fixture *f, scratch *x, enum prep p)
{
	switch (p) {
	case P_SIGN:
		return p11->C_SignInit(f->s, &x->ecdsa, f->priv);
	case P_SIGN_RAW:
		return p11->C_SignInit(f->s, &x->ecdsa_raw, f->priv);
	case P_VERIFY:
		return p11->C_VerifyInit(f->s, &x->ecdsa, f->pub);
	case P_VERIFY_RAW:
		return p11->C_VerifyInit(f->s, &x->ecdsa_raw, f->pub);
	case P_DIGEST:
		return p11->C_DigestInit(f->s, &x->sha);
	case P_FIND:
		return p11->C_FindObjectsInit(f->s, NULL, 0);
	default:
		return CKR_OK;
	}
}

/* CKR_OK if the operation of kind p is still active, OPNI if it ended;
 * the probe leaves an active one active. */
static CK_RV probe(const fixture *f, enum prep p)
{
	CK_ULONG n;

	switch (p) {
	case P_SIGN:
	case P_SIGN_RAW:
		return p11->C_SignFinal(f->s, NULL, &n);
	case P_VERIFY:
	case P_VERIFY_RAW:
		return p11->C_VerifyUpdate(f->s, NULL, 0);
	case P_DIGEST:
		return p11->C_DigestFinal(f->s, NULL, &n);
	default:
		return CKR_OK;
	}
}

/* live: each case in a new session of the fixture's token (closed after it,
 * which ends whatever the case left); otherwise every case must give
 * CKR_CRYPTOKI_NOT_INITIALIZED with f as it is (stale or made-up handles). */
static void run_table(const char *table, const bad_case *cases, size_t n, int live)
{
	fixture f = fx;
	scratch x;
	CK_RV rv;
	size_t i;

	for (i = 0; i < n; i++) {
		const bad_case *c = &cases[i];

		scratch_init(&x);
		if (!live) {
			rv = c->call(&f, &x);
			if (rv != NI)
				report(table, c->name, "before initialization", rv, NI);
			continue;
		}
		assert_ok(p11->C_OpenSession(fx.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
					     NULL, &f.s));
		rv = start(&f, &x, c->prep);
		if (rv != CKR_OK)
			fail_msg("%s/%s: starting the operation: %s", table, c->name,
				 h_rv_name(rv));
		rv = c->call(&f, &x);
		if (rv != c->want) {
			report(table, c->name, "the call", rv, c->want);
		} else if (c->after != A_NA) {
			CK_RV want = c->after == A_ACTIVE ? CKR_OK : OPNI;

			rv = probe(&f, c->prep);
			if (rv != want)
				report(table, c->name,
				       c->after == A_ACTIVE ? "operation kept" : "operation ended",
				       rv, want);
		}
		assert_ok(p11->C_CloseSession(f.s));
	}
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DEFINE_CASE(prefix, name, prep, want, after, expr)         \
	static CK_RV prefix##_##name(const fixture *f, scratch *x) \
	{                                                          \
		(void)f;                                           \
		(void)x;                                           \
		return (expr);                                     \
	}
#define ROW_CASE(prefix, name, prep, want, after, expr) \
	{ #name, prep, want, after, prefix##_##name },

/* ---- (a) NULL pointers -------------------------------------------------- */

#define N_DEF(...) DEFINE_CASE(n, __VA_ARGS__)
#define N_ROW(...) ROW_CASE(n, __VA_ARGS__)
/* clang-format off */
#define NULL_CASES(X) \
	X(get_info,           P_NONE, AB, A_NA, p11->C_GetInfo(NULL)) \
	X(finalize_reserved,  P_NONE, AB, A_NA, p11->C_Finalize(x->buf)) \
	X(slot_list_count,    P_NONE, AB, A_NA, p11->C_GetSlotList(CK_TRUE, NULL, NULL)) \
	X(slot_list_count2,   P_NONE, AB, A_NA, p11->C_GetSlotList(CK_FALSE, x->slots, NULL)) \
	X(slot_list_size,     P_NONE, CKR_OK, A_NA, size_is(p11->C_GetSlotList(CK_FALSE, NULL, &x->len), x, h_device() ? 1 : 2)) \
	X(slot_info,          P_NONE, AB, A_NA, p11->C_GetSlotInfo(f->slot, NULL)) \
	X(token_info,         P_NONE, AB, A_NA, p11->C_GetTokenInfo(f->slot, NULL)) \
	X(mech_list_count,    P_NONE, AB, A_NA, p11->C_GetMechanismList(f->slot, NULL, NULL)) \
	X(mech_list_count2,   P_NONE, AB, A_NA, p11->C_GetMechanismList(f->slot, x->mechs, NULL)) \
	X(mech_list_size,     P_NONE, CKR_OK, A_NA, size_is(p11->C_GetMechanismList(f->slot, NULL, &x->len), x, 0)) \
	X(mech_info,          P_NONE, AB, A_NA, p11->C_GetMechanismInfo(f->slot, CKM_ECDSA, NULL)) \
	X(init_token_pin,     P_NONE, AB, A_NA, p11->C_InitToken(f->slot, NULL, 8, x->label)) \
	X(init_token_label,   P_NONE, AB, A_NA, p11->C_InitToken(f->slot, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, NULL)) \
	X(init_pin,           P_NONE, AB, A_NA, p11->C_InitPIN(f->s, NULL, 4)) \
	X(set_pin_old,        P_NONE, AB, A_NA, p11->C_SetPIN(f->s, NULL, 4, (CK_UTF8CHAR_PTR)"5678", 4)) \
	X(set_pin_new,        P_NONE, AB, A_NA, p11->C_SetPIN(f->s, (CK_UTF8CHAR_PTR)H_USER_PIN, 4, NULL, 4)) \
	X(open_session_ro,    P_NONE, AB, A_NA, p11->C_OpenSession(f->slot, CKF_SERIAL_SESSION, NULL, NULL, NULL)) \
	X(open_session_rw,    P_NONE, AB, A_NA, p11->C_OpenSession(f->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, NULL)) \
	X(session_info,       P_NONE, AB, A_NA, p11->C_GetSessionInfo(f->s, NULL)) \
	X(get_op_state,       P_NONE, FNS, A_NA, p11->C_GetOperationState(f->s, NULL, NULL)) \
	X(set_op_state,       P_NONE, FNS, A_NA, p11->C_SetOperationState(f->s, NULL, 16, 0, 0)) \
	X(login_user_pin,     P_NONE, AB, A_NA, p11->C_Login(f->s, CKU_USER, NULL, 4)) \
	X(login_so_pin,       P_NONE, AB, A_NA, p11->C_Login(f->s, CKU_SO, NULL, 8)) \
	X(create_tmpl,        P_NONE, AB, A_NA, p11->C_CreateObject(f->s, NULL, 2, &x->o)) \
	X(create_out,         P_NONE, AB, A_NA, p11->C_CreateObject(f->s, x->tmpl, 2, NULL)) \
	X(copy_tmpl,          P_NONE, AB, A_NA, p11->C_CopyObject(f->s, f->data, NULL, 1, &x->o)) \
	X(copy_out,           P_NONE, AB, A_NA, p11->C_CopyObject(f->s, f->data, NULL, 0, NULL)) \
	X(copy_no_tmpl,       P_NONE, CKR_OK, A_NA, p11->C_CopyObject(f->s, f->data, NULL, 0, &x->o)) \
	X(object_size,        P_NONE, AB, A_NA, p11->C_GetObjectSize(f->s, f->data, NULL)) \
	X(get_attr_tmpl,      P_NONE, AB, A_NA, p11->C_GetAttributeValue(f->s, f->data, NULL, 1)) \
	X(get_attr_empty,     P_NONE, CKR_OK, A_NA, p11->C_GetAttributeValue(f->s, f->data, NULL, 0)) \
	X(set_attr_tmpl,      P_NONE, AB, A_NA, p11->C_SetAttributeValue(f->s, f->data, NULL, 1)) \
	X(set_attr_empty,     P_NONE, CKR_OK, A_NA, p11->C_SetAttributeValue(f->s, f->data, NULL, 0)) \
	X(find_init_tmpl,     P_NONE, AB, A_NA, p11->C_FindObjectsInit(f->s, NULL, 1)) \
	X(find_init_all,      P_NONE, CKR_OK, A_NA, p11->C_FindObjectsInit(f->s, NULL, 0)) \
	X(find_out,           P_FIND, AB, A_NA, p11->C_FindObjects(f->s, NULL, 4, &x->len)) \
	X(find_count,         P_FIND, AB, A_NA, p11->C_FindObjects(f->s, x->objs, 4, NULL)) \
	X(encrypt_init,       P_NONE, AB, A_NA, p11->C_EncryptInit(f->s, NULL, f->secret)) \
	X(encrypt,            P_NONE, OPNI, A_NA, p11->C_Encrypt(f->s, NULL, 16, NULL, NULL)) \
	X(encrypt_update,     P_NONE, OPNI, A_NA, p11->C_EncryptUpdate(f->s, NULL, 16, NULL, NULL)) \
	X(encrypt_final,      P_NONE, OPNI, A_NA, p11->C_EncryptFinal(f->s, NULL, NULL)) \
	X(decrypt_init,       P_NONE, AB, A_NA, p11->C_DecryptInit(f->s, NULL, f->secret)) \
	X(decrypt,            P_NONE, OPNI, A_NA, p11->C_Decrypt(f->s, NULL, 16, NULL, NULL)) \
	X(decrypt_update,     P_NONE, OPNI, A_NA, p11->C_DecryptUpdate(f->s, NULL, 16, NULL, NULL)) \
	X(decrypt_final,      P_NONE, OPNI, A_NA, p11->C_DecryptFinal(f->s, NULL, NULL)) \
	X(digest_init,        P_NONE, AB, A_NA, p11->C_DigestInit(f->s, NULL)) \
	X(digest_data,        P_DIGEST, AB, A_ENDED, p11->C_Digest(f->s, NULL, 3, x->buf, &x->len)) \
	X(digest_len,         P_DIGEST, AB, A_ENDED, p11->C_Digest(f->s, x->buf, 3, x->buf, NULL)) \
	X(digest_size,        P_DIGEST, CKR_OK, A_ACTIVE, size_is(p11->C_Digest(f->s, x->buf, 3, NULL, &x->len), x, 32)) \
	X(digest_no_data,     P_DIGEST, CKR_OK, A_ENDED, wrote(p11->C_Digest(f->s, NULL, 0, x->buf, &x->len), x, 32)) \
	X(digest_update,      P_DIGEST, AB, A_ENDED, p11->C_DigestUpdate(f->s, NULL, 3)) \
	X(digest_update_none, P_DIGEST, CKR_OK, A_ACTIVE, p11->C_DigestUpdate(f->s, NULL, 0)) \
	X(digest_final_len,   P_DIGEST, AB, A_ENDED, p11->C_DigestFinal(f->s, x->buf, NULL)) \
	X(digest_final_size,  P_DIGEST, CKR_OK, A_ACTIVE, size_is(p11->C_DigestFinal(f->s, NULL, &x->len), x, 32)) \
	X(sign_init,          P_NONE, AB, A_NA, p11->C_SignInit(f->s, NULL, f->priv)) \
	X(sign_data,          P_SIGN, AB, A_ENDED, p11->C_Sign(f->s, NULL, 3, x->buf, &x->len)) \
	X(sign_len,           P_SIGN, AB, A_ENDED, p11->C_Sign(f->s, x->buf, 3, x->buf, NULL)) \
	X(sign_size,          P_SIGN, CKR_OK, A_ACTIVE, size_is(p11->C_Sign(f->s, x->buf, 3, NULL, &x->len), x, 64)) \
	X(sign_update,        P_SIGN, AB, A_ENDED, p11->C_SignUpdate(f->s, NULL, 3)) \
	X(sign_update_none,   P_SIGN, CKR_OK, A_ACTIVE, p11->C_SignUpdate(f->s, NULL, 0)) \
	X(sign_final_len,     P_SIGN, AB, A_ENDED, p11->C_SignFinal(f->s, x->buf, NULL)) \
	X(sign_final_size,    P_SIGN, CKR_OK, A_ACTIVE, size_is(p11->C_SignFinal(f->s, NULL, &x->len), x, 64)) \
	X(sign_recover_init,  P_NONE, AB, A_NA, p11->C_SignRecoverInit(f->s, NULL, f->priv)) \
	X(sign_recover,       P_NONE, OPNI, A_NA, p11->C_SignRecover(f->s, NULL, 3, NULL, NULL)) \
	X(verify_init,        P_NONE, AB, A_NA, p11->C_VerifyInit(f->s, NULL, f->pub)) \
	X(verify_data,        P_VERIFY, AB, A_ENDED, p11->C_Verify(f->s, NULL, 3, x->buf, 64)) \
	X(verify_sig,         P_VERIFY, AB, A_ENDED, p11->C_Verify(f->s, x->buf, 3, NULL, 64)) \
	X(verify_update,      P_VERIFY, AB, A_ENDED, p11->C_VerifyUpdate(f->s, NULL, 3)) \
	X(verify_final,       P_VERIFY, AB, A_ENDED, p11->C_VerifyFinal(f->s, NULL, 64)) \
	X(verify_recover_init, P_NONE, AB, A_NA, p11->C_VerifyRecoverInit(f->s, NULL, f->pub)) \
	X(verify_recover,     P_NONE, OPNI, A_NA, p11->C_VerifyRecover(f->s, NULL, 64, NULL, NULL)) \
	X(digest_encrypt,     P_NONE, OPNI, A_NA, p11->C_DigestEncryptUpdate(f->s, NULL, 3, NULL, NULL)) \
	X(decrypt_digest,     P_NONE, OPNI, A_NA, p11->C_DecryptDigestUpdate(f->s, NULL, 3, NULL, NULL)) \
	X(sign_encrypt,       P_NONE, OPNI, A_NA, p11->C_SignEncryptUpdate(f->s, NULL, 3, NULL, NULL)) \
	X(decrypt_verify,     P_NONE, OPNI, A_NA, p11->C_DecryptVerifyUpdate(f->s, NULL, 3, NULL, NULL)) \
	X(gen_key_mech,       P_NONE, AB, A_NA, p11->C_GenerateKey(f->s, NULL, NULL, 0, &x->o)) \
	X(gen_key_tmpl,       P_NONE, AB, A_NA, p11->C_GenerateKey(f->s, &x->aes_gen, NULL, 1, &x->o)) \
	X(gen_key_out,        P_NONE, AB, A_NA, p11->C_GenerateKey(f->s, &x->aes_gen, x->tmpl, 1, NULL)) \
	X(gen_pair_mech,      P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, NULL, x->pub_t, 1, x->priv_t, 1, &x->o, &x->o2)) \
	X(gen_pair_pub_tmpl,  P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, NULL, 1, x->priv_t, 1, &x->o, &x->o2)) \
	X(gen_pair_priv_tmpl, P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, x->pub_t, 1, NULL, 1, &x->o, &x->o2)) \
	X(gen_pair_pub_out,   P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, x->pub_t, 1, x->priv_t, 1, NULL, &x->o2)) \
	X(gen_pair_priv_out,  P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, x->pub_t, 1, x->priv_t, 1, &x->o, NULL)) \
	X(gen_pair_no_priv_tmpl, P_NONE, CKR_OK, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, x->pub_t, 1, NULL, 0, &x->o, &x->o2)) \
	X(wrap_mech,          P_NONE, AB, A_NA, p11->C_WrapKey(f->s, NULL, f->secret, f->secret, x->buf, &x->len)) \
	X(wrap_len,           P_NONE, AB, A_NA, p11->C_WrapKey(f->s, &x->kw, f->secret, f->secret, x->buf, NULL)) \
	X(unwrap_mech,        P_NONE, AB, A_NA, p11->C_UnwrapKey(f->s, NULL, f->secret, x->buf, 24, x->tmpl, 2, &x->o)) \
	X(unwrap_in,          P_NONE, AB, A_NA, p11->C_UnwrapKey(f->s, &x->kw, f->secret, NULL, 24, x->tmpl, 2, &x->o)) \
	X(unwrap_tmpl,        P_NONE, AB, A_NA, p11->C_UnwrapKey(f->s, &x->kw, f->secret, x->buf, 24, NULL, 2, &x->o)) \
	X(unwrap_out,         P_NONE, AB, A_NA, p11->C_UnwrapKey(f->s, &x->kw, f->secret, x->buf, 24, x->tmpl, 2, NULL)) \
	X(derive_mech,        P_NONE, AB, A_NA, p11->C_DeriveKey(f->s, NULL, f->priv, x->tmpl, 2, &x->o)) \
	X(derive_tmpl,        P_NONE, AB, A_NA, p11->C_DeriveKey(f->s, &x->ecdh, f->priv, NULL, 2, &x->o)) \
	X(derive_out,         P_NONE, AB, A_NA, p11->C_DeriveKey(f->s, &x->ecdh, f->priv, x->tmpl, 2, NULL)) \
	X(seed,               P_NONE, AB, A_NA, p11->C_SeedRandom(f->s, NULL, 16)) \
	X(random,             P_NONE, AB, A_NA, p11->C_GenerateRandom(f->s, NULL, 16)) \
	X(random_none,        P_NONE, CKR_OK, A_NA, p11->C_GenerateRandom(f->s, NULL, 0)) \
	X(wait_slot,          P_NONE, AB, A_NA, p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL)) \
	X(wait_reserved,      P_NONE, AB, A_NA, p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, x->slots, x->buf))
/* clang-format on */
NULL_CASES(N_DEF)
static const bad_case null_cases[] = { NULL_CASES(N_ROW) };

/* ---- (b) huge counts and lengths ---------------------------------------- */

/* A huge ulValueLen over a real buffer that holds the value: the value and
 * its length, nothing written past it. */
static CK_RV get_huge_len(const fixture *f, scratch *x, CK_ULONG claimed, int null_buf)
{
	CK_ATTRIBUTE a = { CKA_LABEL, null_buf ? NULL : x->buf, claimed };
	CK_RV rv = p11->C_GetAttributeValue(f->s, f->data, &a, 1);

	x->len = a.ulValueLen;
	if (rv == CKR_OK && !null_buf && memcmp(x->buf, "data", 4) != 0)
		return WRONG;
	return null_buf ? size_is(rv, x, 4) : wrote(rv, x, 4);
}

/* A search whose template value is longer than any attribute can be: it
 * starts, matches nothing, and reads nothing. */
static CK_RV find_none(const fixture *f, scratch *x, CK_ATTRIBUTE_TYPE type, CK_ULONG len)
{
	CK_ATTRIBUTE a = { type, x->buf, len };
	CK_ULONG n = 99;
	CK_RV rv = p11->C_FindObjectsInit(f->s, &a, 1);

	if (rv != CKR_OK)
		return rv;
	rv = p11->C_FindObjects(f->s, x->objs, 16, &n);
	if (rv == CKR_OK)
		rv = p11->C_FindObjectsFinal(f->s);
	return rv == CKR_OK && n != 0 ? WRONG : rv;
}

static CK_RV create_len(const fixture *f, scratch *x, CK_ATTRIBUTE_TYPE type, CK_ULONG len)
{
	CK_ATTRIBUTE t[2] = { { CKA_CLASS, &x->cls, sizeof(x->cls) }, { CKA_LABEL, "l", 1 } };

	if (type == CKA_CLASS)
		t[0].ulValueLen = len;
	else
		t[1] = (CK_ATTRIBUTE){ type, x->buf, len };
	return p11->C_CreateObject(f->s, t, 2, &x->o);
}

/* Output lengths claimed huge over real buffers that hold the output. */
static CK_RV sign_huge_out(const fixture *f, scratch *x)
{
	x->len = UMAX;
	return wrote(p11->C_Sign(f->s, x->buf, 3, x->buf, &x->len), x, 64);
}

static CK_RV digest_huge_out(const fixture *f, scratch *x)
{
	x->len = UMAX;
	return wrote(p11->C_Digest(f->s, x->buf, 3, x->buf, &x->len), x, 32);
}

static CK_RV slots_huge_count(scratch *x)
{
	memset(x->slots, 0xA5, sizeof(x->slots));
	x->len = UMAX;
	if (p11->C_GetSlotList(CK_FALSE, x->slots, &x->len) != CKR_OK || x->len != 2)
		return WRONG;
	return x->slots[2] == (CK_SLOT_ID)0xA5A5A5A5A5A5A5A5ULL ? CKR_OK : WRONG;
}

static CK_RV mechs_huge_count(const fixture *f, scratch *x)
{
	CK_ULONG n = 0;
	CK_RV rv = p11->C_GetMechanismList(f->slot, NULL, &n);

	if (rv != CKR_OK || n == 0 || n >= COUNT(x->mechs))
		return WRONG;
	memset(x->mechs, 0xA5, sizeof(x->mechs));
	x->len = UMAX;
	rv = p11->C_GetMechanismList(f->slot, x->mechs, &x->len);
	if (rv == CKR_OK &&
	    (x->len != n || x->mechs[n] != (CK_MECHANISM_TYPE)0xA5A5A5A5A5A5A5A5ULL))
		return WRONG;
	return rv;
}

static CK_RV find_huge_max(const fixture *f, scratch *x)
{
	CK_RV rv = p11->C_FindObjectsInit(f->s, NULL, 0);

	if (rv != CKR_OK)
		return rv;
	x->objs[COUNT(x->objs) - 1] = 0xA5;
	rv = p11->C_FindObjects(f->s, x->objs, UMAX, &x->len);
	if (rv == CKR_OK &&
	    (x->len == 0 || x->len >= COUNT(x->objs) || x->objs[COUNT(x->objs) - 1] != 0xA5))
		return WRONG;
	return rv;
}

/* A length no buffer can have: its end is past the end of the address
 * space. */
static CK_ULONG past_end(const void *p)
{
	return (CK_ULONG)(UINTPTR_MAX - (uintptr_t)p) + 17;
}

#define H_DEF(...) DEFINE_CASE(h, __VA_ARGS__)
#define H_ROW(...) ROW_CASE(h, __VA_ARGS__)
/* clang-format off */
#define HUGE_CASES(X) \
	X(get_count_2e40,     P_NONE, AB, A_NA, p11->C_GetAttributeValue(f->s, f->data, x->get, BIG40)) \
	X(get_count_max,      P_NONE, AB, A_NA, p11->C_GetAttributeValue(f->s, f->data, x->get, UMAX)) \
	X(get_count_wrap,     P_NONE, AB, A_NA, p11->C_GetAttributeValue(f->s, f->data, x->get, WRAP32(1))) \
	X(set_count_2e40,     P_NONE, AB, A_NA, p11->C_SetAttributeValue(f->s, f->data, x->set, BIG40)) \
	X(set_count_wrap,     P_NONE, AB, A_NA, p11->C_SetAttributeValue(f->s, f->data, x->set, WRAP32(1))) \
	X(create_count_2e40,  P_NONE, AB, A_NA, p11->C_CreateObject(f->s, x->tmpl, BIG40, &x->o)) \
	X(create_count_max,   P_NONE, AB, A_NA, p11->C_CreateObject(f->s, x->tmpl, UMAX, &x->o)) \
	X(create_count_wrap,  P_NONE, AB, A_NA, p11->C_CreateObject(f->s, x->tmpl, WRAP32(2), &x->o)) \
	X(copy_count_2e40,    P_NONE, AB, A_NA, p11->C_CopyObject(f->s, f->data, x->set, BIG40, &x->o)) \
	X(copy_count_wrap,    P_NONE, AB, A_NA, p11->C_CopyObject(f->s, f->data, x->set, WRAP32(1), &x->o)) \
	X(find_count_2e40,    P_NONE, AB, A_NA, p11->C_FindObjectsInit(f->s, x->set, BIG40)) \
	X(find_count_max,     P_NONE, AB, A_NA, p11->C_FindObjectsInit(f->s, x->set, UMAX)) \
	X(find_count_wrap,    P_NONE, AB, A_NA, p11->C_FindObjectsInit(f->s, x->set, WRAP32(1))) \
	X(gen_pair_pub_2e40,  P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, x->pub_t, BIG40, x->priv_t, 1, &x->o, &x->o2)) \
	X(gen_pair_pub_wrap,  P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, x->pub_t, WRAP32(1), x->priv_t, 1, &x->o, &x->o2)) \
	X(gen_pair_priv_max,  P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, x->pub_t, 1, x->priv_t, UMAX, &x->o, &x->o2)) \
	X(gen_pair_priv_wrap, P_NONE, AB, A_NA, p11->C_GenerateKeyPair(f->s, &x->ec_gen, x->pub_t, 1, x->priv_t, WRAP32(1), &x->o, &x->o2)) \
	X(gen_key_count,      P_NONE, AB, A_NA, p11->C_GenerateKey(f->s, &x->aes_gen, x->tmpl, BIG40, &x->o)) \
	X(unwrap_count,       P_NONE, AB, A_NA, p11->C_UnwrapKey(f->s, &x->kw, f->secret, x->buf, 24, x->tmpl, BIG40, &x->o)) \
	X(derive_count,       P_NONE, AB, A_NA, p11->C_DeriveKey(f->s, &x->ecdh, f->priv, x->tmpl, UMAX, &x->o)) \
	X(get_value_len_2e40, P_NONE, CKR_OK, A_NA, get_huge_len(f, x, BIG40, 0)) \
	X(get_value_len_max,  P_NONE, CKR_OK, A_NA, get_huge_len(f, x, UMAX, 0)) \
	X(get_value_len_null, P_NONE, CKR_OK, A_NA, get_huge_len(f, x, UMAX, 1)) \
	X(create_label_wrap,  P_NONE, AVI, A_NA, create_len(f, x, CKA_LABEL, WRAP32(1))) \
	X(create_value_max,   P_NONE, AVI, A_NA, create_len(f, x, CKA_VALUE, UMAX)) \
	X(create_class_wrap,  P_NONE, AVI, A_NA, create_len(f, x, CKA_CLASS, WRAP32(sizeof(CK_ULONG)))) \
	X(set_label_2e40,     P_NONE, AVI, A_NA, p11->C_SetAttributeValue(f->s, f->data, (x->set[0].ulValueLen = BIG40, x->set), 1)) \
	X(find_label_2e40,    P_NONE, CKR_OK, A_NA, find_none(f, x, CKA_LABEL, BIG40)) \
	X(find_label_wrap,    P_NONE, CKR_OK, A_NA, find_none(f, x, CKA_LABEL, WRAP32(4))) \
	X(find_value_max,     P_NONE, CKR_OK, A_NA, find_none(f, x, CKA_VALUE, UMAX)) \
	X(sign_raw_2e40,      P_SIGN_RAW, DLR, A_ENDED, p11->C_Sign(f->s, x->buf, BIG40, x->buf, &x->len)) \
	X(sign_raw_wrap,      P_SIGN_RAW, DLR, A_ENDED, p11->C_Sign(f->s, x->buf, WRAP32(5), x->buf, &x->len)) \
	X(sign_raw_update_2e40, P_SIGN_RAW, DLR, A_ENDED, p11->C_SignUpdate(f->s, x->buf, BIG40)) \
	X(sign_raw_update_wrap, P_SIGN_RAW, DLR, A_ENDED, p11->C_SignUpdate(f->s, x->buf, WRAP32(5))) \
	X(verify_raw_2e40,    P_VERIFY_RAW, DLR, A_ENDED, p11->C_Verify(f->s, x->buf, BIG40, x->buf, 64)) \
	X(verify_raw_update_wrap, P_VERIFY_RAW, DLR, A_ENDED, p11->C_VerifyUpdate(f->s, x->buf, WRAP32(5))) \
	X(sign_hash_max,      P_SIGN, AB, A_ENDED, p11->C_Sign(f->s, x->buf, UMAX, x->buf, &x->len)) \
	X(sign_hash_past_end, P_SIGN, AB, A_ENDED, p11->C_Sign(f->s, x->buf, past_end(x->buf), x->buf, &x->len)) \
	X(sign_update_max,    P_SIGN, AB, A_ENDED, p11->C_SignUpdate(f->s, x->buf, UMAX)) \
	X(verify_hash_max,    P_VERIFY, AB, A_ENDED, p11->C_Verify(f->s, x->buf, UMAX, x->buf, 64)) \
	X(verify_update_max,  P_VERIFY, AB, A_ENDED, p11->C_VerifyUpdate(f->s, x->buf, UMAX)) \
	X(verify_sig_max,     P_VERIFY, CKR_SIGNATURE_LEN_RANGE, A_ENDED, p11->C_Verify(f->s, x->buf, 3, x->buf, UMAX)) \
	X(digest_max,         P_DIGEST, AB, A_ENDED, p11->C_Digest(f->s, x->buf, UMAX, x->buf, &x->len)) \
	X(digest_past_end,    P_DIGEST, AB, A_ENDED, p11->C_Digest(f->s, x->buf, past_end(x->buf), x->buf, &x->len)) \
	X(digest_update_max,  P_DIGEST, AB, A_ENDED, p11->C_DigestUpdate(f->s, x->buf, UMAX)) \
	X(digest_update_2e63, P_DIGEST, AB, A_ENDED, p11->C_DigestUpdate(f->s, x->buf, (CK_ULONG)1 << 63)) \
	X(random_max,         P_NONE, AB, A_NA, p11->C_GenerateRandom(f->s, x->buf, UMAX)) \
	X(random_past_end,    P_NONE, AB, A_NA, p11->C_GenerateRandom(f->s, x->buf, past_end(x->buf))) \
	X(seed_max,           P_NONE, CKR_RANDOM_SEED_NOT_SUPPORTED, A_NA, p11->C_SeedRandom(f->s, x->buf, UMAX)) \
	X(set_pin_new_max,    P_NONE, CKR_PIN_LEN_RANGE, A_NA, p11->C_SetPIN(f->s, (CK_UTF8CHAR_PTR)H_USER_PIN, 4, x->buf, UMAX)) \
	X(set_pin_old_max,    P_NONE, CKR_PIN_INCORRECT, A_NA, p11->C_SetPIN(f->s, x->buf, UMAX, (CK_UTF8CHAR_PTR)"5678", 4)) \
	X(init_token_pin_max, P_NONE, CKR_PIN_LEN_RANGE, A_NA, p11->C_InitToken(h_uninit_slot(), x->buf, UMAX, x->label)) \
	X(sign_param_2e40,    P_NONE, CKR_MECHANISM_PARAM_INVALID, A_NA, p11->C_SignInit(f->s, &x->big_param, f->priv)) \
	X(sign_pss_param_wrap, P_NONE, CKR_MECHANISM_PARAM_INVALID, A_NA, p11->C_SignInit(f->s, &x->pss_wrap, f->rsa_priv)) \
	X(verify_pss_param_wrap, P_NONE, CKR_MECHANISM_PARAM_INVALID, A_NA, p11->C_VerifyInit(f->s, &x->pss_wrap, f->rsa_pub)) \
	X(digest_param_2e40,  P_NONE, CKR_MECHANISM_PARAM_INVALID, A_NA, p11->C_DigestInit(f->s, &x->sha_big_param)) \
	X(sign_out_len_max,   P_SIGN, CKR_OK, A_ENDED, sign_huge_out(f, x)) \
	X(digest_out_len_max, P_DIGEST, CKR_OK, A_ENDED, digest_huge_out(f, x)) \
	X(slot_list_count_max, P_NONE, CKR_OK, A_NA, slots_huge_count(x)) \
	X(mech_list_count_max, P_NONE, CKR_OK, A_NA, mechs_huge_count(f, x)) \
	X(find_max_count_max, P_NONE, CKR_OK, A_NA, find_huge_max(f, x))
/* clang-format on */
HUGE_CASES(H_DEF)
static const bad_case huge_cases[] = { HUGE_CASES(H_ROW) };

/* ---- (c) handles of every wrong kind ------------------------------------ */

typedef CK_RV (*handle_fn)(const fixture *f, scratch *x, CK_ULONG h);

typedef struct handle_case {
	const char *name;
	CK_RV want;
	handle_fn call;
} handle_case;

static CK_RV digest_key(const fixture *f, scratch *x, CK_ULONG h)
{
	CK_RV rv = p11->C_DigestInit(f->s, &x->sha);

	return rv != CKR_OK ? WRONG : p11->C_DigestKey(f->s, h);
}

#define DEFINE_HCASE(prefix, name, want, expr)                                 \
	static CK_RV prefix##_##name(const fixture *f, scratch *x, CK_ULONG h) \
	{                                                                      \
		(void)f;                                                       \
		(void)x;                                                       \
		return (expr);                                                 \
	}
#define ROW_HCASE(prefix, name, want, expr) { #name, want, prefix##_##name },
#define O_DEF(...) DEFINE_HCASE(o, __VA_ARGS__)
#define O_ROW(...) ROW_HCASE(o, __VA_ARGS__)
/* Every function with an object or key handle, the session valid. */
/* clang-format off */
#define OBJECT_FNS(X) \
	X(get_attr,            OHI, p11->C_GetAttributeValue(f->s, h, x->get, 1)) \
	X(set_attr,            OHI, p11->C_SetAttributeValue(f->s, h, x->set, 1)) \
	X(object_size,         OHI, p11->C_GetObjectSize(f->s, h, &x->len)) \
	X(copy,                OHI, p11->C_CopyObject(f->s, h, NULL, 0, &x->o)) \
	X(destroy,             OHI, p11->C_DestroyObject(f->s, h)) \
	X(sign_init,           KHI, p11->C_SignInit(f->s, &x->ecdsa, h)) \
	X(verify_init,         KHI, p11->C_VerifyInit(f->s, &x->ecdsa, h)) \
	X(sign_recover_init,   KHI, p11->C_SignRecoverInit(f->s, &x->ecdsa_raw, h)) \
	X(verify_recover_init, KHI, p11->C_VerifyRecoverInit(f->s, &x->ecdsa_raw, h)) \
	X(encrypt_init,        KHI, p11->C_EncryptInit(f->s, &x->aes_cbc, h)) \
	X(decrypt_init,        KHI, p11->C_DecryptInit(f->s, &x->aes_cbc, h)) \
	X(digest_key,          KHI, digest_key(f, x, h)) \
	X(wrap,                CKR_WRAPPING_KEY_HANDLE_INVALID, p11->C_WrapKey(f->s, &x->kw, h, f->secret, x->buf, &x->len)) \
	X(unwrap,              CKR_UNWRAPPING_KEY_HANDLE_INVALID, p11->C_UnwrapKey(f->s, &x->kw, h, x->buf, 24, x->tmpl, 2, &x->o)) \
	X(derive,              KHI, p11->C_DeriveKey(f->s, &x->ecdh, h, x->tmpl, 2, &x->o))
/* clang-format on */
OBJECT_FNS(O_DEF)
static const handle_case object_fns[] = { OBJECT_FNS(O_ROW) };

#define S_DEF(...) DEFINE_HCASE(s, __VA_ARGS__)
#define S_ROW(...) ROW_HCASE(s, __VA_ARGS__)
/* Every function with a session handle, the other arguments valid. */
/* clang-format off */
#define SESSION_FNS(X) \
	X(init_pin,          SHI, p11->C_InitPIN(h, (CK_UTF8CHAR_PTR)H_USER_PIN, 4)) \
	X(set_pin,           SHI, p11->C_SetPIN(h, (CK_UTF8CHAR_PTR)H_USER_PIN, 4, (CK_UTF8CHAR_PTR)"5678", 4)) \
	X(close_session,     SHI, p11->C_CloseSession(h)) \
	X(session_info,      SHI, p11->C_GetSessionInfo(h, (CK_SESSION_INFO *)(void *)x->buf)) \
	X(get_op_state,      SHI, p11->C_GetOperationState(h, x->buf, &x->len)) \
	X(set_op_state,      SHI, p11->C_SetOperationState(h, x->buf, 16, 0, 0)) \
	X(login,             SHI, p11->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4)) \
	X(logout,            SHI, p11->C_Logout(h)) \
	X(create,            SHI, p11->C_CreateObject(h, x->tmpl, 2, &x->o)) \
	X(copy,              SHI, p11->C_CopyObject(h, f->data, NULL, 0, &x->o)) \
	X(destroy,           SHI, p11->C_DestroyObject(h, f->data)) \
	X(object_size,       SHI, p11->C_GetObjectSize(h, f->data, &x->len)) \
	X(get_attr,          SHI, p11->C_GetAttributeValue(h, f->data, x->get, 1)) \
	X(set_attr,          SHI, p11->C_SetAttributeValue(h, f->data, x->set, 1)) \
	X(find_init,         SHI, p11->C_FindObjectsInit(h, NULL, 0)) \
	X(find,              SHI, p11->C_FindObjects(h, x->objs, 4, &x->len)) \
	X(find_final,        SHI, p11->C_FindObjectsFinal(h)) \
	X(encrypt_init,      SHI, p11->C_EncryptInit(h, &x->aes_cbc, f->secret)) \
	X(encrypt,           SHI, p11->C_Encrypt(h, x->buf, 16, x->buf, &x->len)) \
	X(encrypt_update,    SHI, p11->C_EncryptUpdate(h, x->buf, 16, x->buf, &x->len)) \
	X(encrypt_final,     SHI, p11->C_EncryptFinal(h, x->buf, &x->len)) \
	X(decrypt_init,      SHI, p11->C_DecryptInit(h, &x->aes_cbc, f->secret)) \
	X(decrypt,           SHI, p11->C_Decrypt(h, x->buf, 16, x->buf, &x->len)) \
	X(decrypt_update,    SHI, p11->C_DecryptUpdate(h, x->buf, 16, x->buf, &x->len)) \
	X(decrypt_final,     SHI, p11->C_DecryptFinal(h, x->buf, &x->len)) \
	X(digest_init,       SHI, p11->C_DigestInit(h, &x->sha)) \
	X(digest,            SHI, p11->C_Digest(h, x->buf, 3, x->buf, &x->len)) \
	X(digest_update,     SHI, p11->C_DigestUpdate(h, x->buf, 3)) \
	X(digest_key,        SHI, p11->C_DigestKey(h, f->secret)) \
	X(digest_final,      SHI, p11->C_DigestFinal(h, x->buf, &x->len)) \
	X(sign_init,         SHI, p11->C_SignInit(h, &x->ecdsa, f->priv)) \
	X(sign,              SHI, p11->C_Sign(h, x->buf, 3, x->buf, &x->len)) \
	X(sign_update,       SHI, p11->C_SignUpdate(h, x->buf, 3)) \
	X(sign_final,        SHI, p11->C_SignFinal(h, x->buf, &x->len)) \
	X(sign_recover_init, SHI, p11->C_SignRecoverInit(h, &x->ecdsa_raw, f->priv)) \
	X(sign_recover,      SHI, p11->C_SignRecover(h, x->buf, 3, x->buf, &x->len)) \
	X(verify_init,       SHI, p11->C_VerifyInit(h, &x->ecdsa, f->pub)) \
	X(verify,            SHI, p11->C_Verify(h, x->buf, 3, x->buf, 64)) \
	X(verify_update,     SHI, p11->C_VerifyUpdate(h, x->buf, 3)) \
	X(verify_final,      SHI, p11->C_VerifyFinal(h, x->buf, 64)) \
	X(verify_recover_init, SHI, p11->C_VerifyRecoverInit(h, &x->ecdsa_raw, f->pub)) \
	X(verify_recover,    SHI, p11->C_VerifyRecover(h, x->buf, 64, x->buf, &x->len)) \
	X(digest_encrypt,    SHI, p11->C_DigestEncryptUpdate(h, x->buf, 3, x->buf, &x->len)) \
	X(decrypt_digest,    SHI, p11->C_DecryptDigestUpdate(h, x->buf, 3, x->buf, &x->len)) \
	X(sign_encrypt,      SHI, p11->C_SignEncryptUpdate(h, x->buf, 3, x->buf, &x->len)) \
	X(decrypt_verify,    SHI, p11->C_DecryptVerifyUpdate(h, x->buf, 3, x->buf, &x->len)) \
	X(gen_key,           SHI, p11->C_GenerateKey(h, &x->aes_gen, x->tmpl, 0, &x->o)) \
	X(gen_pair,          SHI, p11->C_GenerateKeyPair(h, &x->ec_gen, x->pub_t, 1, x->priv_t, 1, &x->o, &x->o2)) \
	X(wrap,              SHI, p11->C_WrapKey(h, &x->kw, f->secret, f->secret, x->buf, &x->len)) \
	X(unwrap,            SHI, p11->C_UnwrapKey(h, &x->kw, f->secret, x->buf, 24, x->tmpl, 2, &x->o)) \
	X(derive,            SHI, p11->C_DeriveKey(h, &x->ecdh, f->priv, x->tmpl, 2, &x->o)) \
	X(seed,              SHI, p11->C_SeedRandom(h, x->buf, 16)) \
	X(random,            SHI, p11->C_GenerateRandom(h, x->buf, 16)) \
	X(function_status,   SHI, p11->C_GetFunctionStatus(h)) \
	X(cancel,            SHI, p11->C_CancelFunction(h))
/* clang-format on */
SESSION_FNS(S_DEF)
static const handle_case session_fns[] = { SESSION_FNS(S_ROW) };

#define L_DEF(...) DEFINE_HCASE(l, __VA_ARGS__)
#define L_ROW(...) ROW_HCASE(l, __VA_ARGS__)
/* Every function with a slot id. */
/* clang-format off */
#define SLOT_FNS(X) \
	X(slot_info,        CKR_SLOT_ID_INVALID, p11->C_GetSlotInfo(h, (CK_SLOT_INFO *)(void *)x->buf)) \
	X(token_info,       CKR_SLOT_ID_INVALID, p11->C_GetTokenInfo(h, (CK_TOKEN_INFO *)(void *)x->buf)) \
	X(mech_list,        CKR_SLOT_ID_INVALID, p11->C_GetMechanismList(h, NULL, &x->len)) \
	X(mech_info,        CKR_SLOT_ID_INVALID, p11->C_GetMechanismInfo(h, CKM_ECDSA, (CK_MECHANISM_INFO *)(void *)x->buf)) \
	X(init_token,       CKR_SLOT_ID_INVALID, p11->C_InitToken(h, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, x->label)) \
	X(open_session,     CKR_SLOT_ID_INVALID, p11->C_OpenSession(h, CKF_SERIAL_SESSION, NULL, NULL, &x->o)) \
	X(close_all,        CKR_SLOT_ID_INVALID, p11->C_CloseAllSessions(h))
/* clang-format on */
SLOT_FNS(L_DEF)
static const handle_case slot_fns[] = { SLOT_FNS(L_ROW) };

typedef struct bad_handle {
	const char *kind;
	CK_ULONG h;
} bad_handle;

/* Runs every function of fns with every handle of kinds. Object handles
 * are tried with a live session of the fixture's token, session handles
 * with the fixture's objects (the session argument is what is wrong). */
static CK_SESSION_HANDLE spare; /* a live session whose handle names no object */

static void run_handles(const char *table, const handle_case *fns, size_t nfns,
			const bad_handle *kinds, size_t nkinds, int session_kinds)
{
	fixture f = fx;
	scratch x;
	size_t i, k;
	CK_RV rv;

	for (k = 0; k < nkinds; k++) {
		for (i = 0; i < nfns; i++) {
			char name[96];

			scratch_init(&x);
			assert_ok(p11->C_OpenSession(fx.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
						     NULL, NULL, &f.s));
			/* Session and object handles overlap (both count from
			 * 1): a kind that names a live session would test
			 * nothing. */
			if (session_kinds &&
			    (kinds[k].h == f.s || kinds[k].h == fx.keeper || kinds[k].h == spare))
				fail_msg("%s: kind \"%s\" names a live session", table,
					 kinds[k].kind);
			rv = fns[i].call(&f, &x, kinds[k].h);
			if (rv != fns[i].want) {
				snprintf(name, sizeof(name), "%s(%s)", fns[i].name, kinds[k].kind);
				report(table, name, "the call", rv, fns[i].want);
			}
			assert_ok(p11->C_CloseSession(f.s));
		}
	}
}

/* ---- (d) wrong states ---------------------------------------------------- */

/* A second token (user PIN set, nobody logged in) for the login states; its
 * sessions are closed after each case, which logs out. */
static CK_SLOT_ID other;

static CK_SESSION_HANDLE other_session(int rw, CK_USER_TYPE who)
{
	CK_SESSION_HANDLE s = h_open(other, rw);

	if (who != (CK_USER_TYPE)-1)
		h_login(s, who);
	return s;
}

static CK_RV init_twice_sign(const fixture *f, scratch *x)
{
	CK_RV rv;

	assert_ok(p11->C_SignInit(f->s, &x->ecdsa, f->priv));
	rv = p11->C_SignInit(f->s, &x->ecdsa, f->priv);
	/* Row 26: the first operation goes on. */
	x->len = sizeof(x->buf);
	if (p11->C_Sign(f->s, x->buf, 3, x->buf + 100, &x->len) != CKR_OK ||
	    h_verify_rv(f->s, &x->ecdsa, f->pub, x->buf, 3, x->buf + 100, x->len) != CKR_OK)
		return WRONG;
	return rv;
}

static CK_RV init_twice_verify(const fixture *f, scratch *x)
{
	assert_ok(p11->C_VerifyInit(f->s, &x->ecdsa, f->pub));
	return p11->C_VerifyInit(f->s, &x->ecdsa, f->pub);
}

static CK_RV init_twice_digest(const fixture *f, scratch *x)
{
	CK_RV rv;

	assert_ok(p11->C_DigestInit(f->s, &x->sha));
	rv = p11->C_DigestInit(f->s, &x->sha);
	if (p11->C_Digest(f->s, x->buf, 3, x->buf + 100, &x->len) != CKR_OK || x->len != 32)
		return WRONG;
	return rv;
}

static CK_RV init_twice_find(const fixture *f, scratch *x)
{
	(void)x;
	assert_ok(p11->C_FindObjectsInit(f->s, NULL, 0));
	return p11->C_FindObjectsInit(f->s, NULL, 0);
}

static CK_RV single_after_update(const fixture *f, scratch *x, enum prep p)
{
	assert_ok(start(f, x, p));
	switch (p) {
	case P_SIGN:
		assert_ok(p11->C_SignUpdate(f->s, x->buf, 3));
		return p11->C_Sign(f->s, x->buf, 3, x->buf + 100, &x->len);
	case P_VERIFY:
		assert_ok(p11->C_VerifyUpdate(f->s, x->buf, 3));
		return p11->C_Verify(f->s, x->buf, 3, x->buf + 100, 64);
	default:
		assert_ok(p11->C_DigestUpdate(f->s, x->buf, 3));
		return p11->C_Digest(f->s, x->buf, 3, x->buf + 100, &x->len);
	}
}

/* A case on the second token: a session of this kind, the call, then all
 * its sessions closed. */
enum other_call {
	O_INIT_PIN,
	O_CREATE_TOKEN,
	O_CREATE_PRIVATE,
	O_CREATE_PRIVATE_TOKEN,
	O_SET_TOKEN_OBJ,
	O_DESTROY_TOKEN_OBJ,
	O_COPY_TO_TOKEN,
	O_COPY_TO_PRIVATE,
	O_GEN_TOKEN_PAIR,
	O_GEN_PRIVATE_PAIR,
	O_INIT_TOKEN,
	O_CONTEXT_LOGIN,
};

static CK_RV on_other(int rw, CK_USER_TYPE who, enum other_call what)
{
	CK_SESSION_HANDLE s, w;
	CK_OBJECT_HANDLE o, tok = 0, pub, priv;
	CK_UTF8CHAR label[32];
	CK_RV rv = WRONG;
	h_tmpl t, pt, st;

	/* A token object and a public session object made beforehand. */
	w = other_session(1, (CK_USER_TYPE)-1);
	if (what == O_SET_TOKEN_OBJ || what == O_DESTROY_TOKEN_OBJ)
		tok = h_data(w, "token object", CK_TRUE, CK_FALSE);
	o = h_data(w, "session object", CK_FALSE, CK_FALSE);
	s = rw == 1 && who == (CK_USER_TYPE)-1 ? w : other_session(rw, who);
	t_init(&t);
	t_init(&pt);
	t_init(&st);
	switch (what) {
	case O_INIT_PIN:
		rv = p11->C_InitPIN(s, (CK_UTF8CHAR_PTR) "9876", 4);
		break;
	case O_CREATE_TOKEN:
	case O_CREATE_PRIVATE:
	case O_CREATE_PRIVATE_TOKEN:
		k_data(&t, "new");
		t_bool(&t, CKA_TOKEN, what != O_CREATE_PRIVATE);
		t_bool(&t, CKA_PRIVATE, what != O_CREATE_TOKEN);
		rv = h_create_rv(s, &t, &o);
		break;
	case O_SET_TOKEN_OBJ:
		t_str(&t, CKA_LABEL, "renamed");
		rv = p11->C_SetAttributeValue(s, tok, t.a, t.n);
		break;
	case O_DESTROY_TOKEN_OBJ:
		rv = p11->C_DestroyObject(s, tok);
		break;
	case O_COPY_TO_TOKEN:
	case O_COPY_TO_PRIVATE:
		t_bool(&t, what == O_COPY_TO_TOKEN ? CKA_TOKEN : CKA_PRIVATE, CK_TRUE);
		rv = p11->C_CopyObject(s, o, t.a, t.n, &o);
		break;
	case O_GEN_TOKEN_PAIR:
	case O_GEN_PRIVATE_PAIR:
		t_bytes(&pt, CKA_EC_PARAMS, h_curves[0].oid, h_curves[0].oid_len);
		t_bool(&pt, CKA_TOKEN, what == O_GEN_TOKEN_PAIR);
		t_bool(&st, CKA_TOKEN, what == O_GEN_TOKEN_PAIR);
		t_bool(&st, CKA_PRIVATE, what == O_GEN_PRIVATE_PAIR);
		rv = h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &pt, &st, &pub, &priv);
		break;
	case O_INIT_TOKEN:
		h_pad(label, sizeof(label), "other token");
		rv = p11->C_InitToken(other, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, label);
		break;
	case O_CONTEXT_LOGIN:
		rv = p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)H_USER_PIN, 4);
		break;
	}
	assert_ok(p11->C_CloseAllSessions(other));
	/* Whatever was refused left nothing behind. */
	if (rv != CKR_OK && what != O_DESTROY_TOKEN_OBJ && what != O_SET_TOKEN_OBJ) {
		CK_OBJECT_HANDLE found[4];

		s = other_session(0, CKU_USER);
		if (h_find(s, NULL, 0, found, 4) != 0)
			rv = WRONG;
		assert_ok(p11->C_CloseAllSessions(other));
	}
	if (tok != 0) {
		s = other_session(1, (CK_USER_TYPE)-1);
		if (h_find_label(s, "token object", &o, 1) == 1)
			assert_ok(p11->C_DestroyObject(s, o));
		assert_ok(p11->C_CloseAllSessions(other));
	}
	return rv;
}

#define RO 0
#define RW 1
#define PUBLIC ((CK_USER_TYPE)-1)
#define D_DEF(...) DEFINE_CASE(d, __VA_ARGS__)
#define D_ROW(...) ROW_CASE(d, __VA_ARGS__)
/* clang-format off */
#define STATE_CASES(X) \
	X(sign_no_init,         P_NONE, OPNI, A_NA, p11->C_Sign(f->s, x->buf, 3, x->buf, &x->len)) \
	X(sign_update_no_init,  P_NONE, OPNI, A_NA, p11->C_SignUpdate(f->s, x->buf, 3)) \
	X(sign_final_no_init,   P_NONE, OPNI, A_NA, p11->C_SignFinal(f->s, x->buf, &x->len)) \
	X(verify_no_init,       P_NONE, OPNI, A_NA, p11->C_Verify(f->s, x->buf, 3, x->buf, 64)) \
	X(verify_update_no_init, P_NONE, OPNI, A_NA, p11->C_VerifyUpdate(f->s, x->buf, 3)) \
	X(verify_final_no_init, P_NONE, OPNI, A_NA, p11->C_VerifyFinal(f->s, x->buf, 64)) \
	X(digest_no_init,       P_NONE, OPNI, A_NA, p11->C_Digest(f->s, x->buf, 3, x->buf, &x->len)) \
	X(digest_update_no_init, P_NONE, OPNI, A_NA, p11->C_DigestUpdate(f->s, x->buf, 3)) \
	X(digest_key_no_init,   P_NONE, OPNI, A_NA, p11->C_DigestKey(f->s, f->secret)) \
	X(digest_final_no_init, P_NONE, OPNI, A_NA, p11->C_DigestFinal(f->s, x->buf, &x->len)) \
	X(find_no_init,         P_NONE, OPNI, A_NA, p11->C_FindObjects(f->s, x->objs, 4, &x->len)) \
	X(find_final_no_init,   P_NONE, OPNI, A_NA, p11->C_FindObjectsFinal(f->s)) \
	X(sign_ended_by_sign,   P_SIGN, OPNI, A_NA, (p11->C_Sign(f->s, x->buf, 3, x->buf, &x->len), p11->C_SignUpdate(f->s, x->buf, 3))) \
	X(digest_ended_by_final, P_DIGEST, OPNI, A_NA, (p11->C_DigestFinal(f->s, x->buf, &x->len), p11->C_DigestUpdate(f->s, x->buf, 3))) \
	X(find_ended_by_final,  P_FIND, OPNI, A_NA, (p11->C_FindObjectsFinal(f->s), p11->C_FindObjects(f->s, x->objs, 4, &x->len))) \
	X(sign_init_twice,      P_NONE, OA, A_NA, init_twice_sign(f, x)) \
	X(verify_init_twice,    P_NONE, OA, A_NA, init_twice_verify(f, x)) \
	X(digest_init_twice,    P_NONE, OA, A_NA, init_twice_digest(f, x)) \
	X(find_init_twice,      P_NONE, OA, A_NA, init_twice_find(f, x)) \
	X(sign_after_update,    P_NONE, OA, A_NA, single_after_update(f, x, P_SIGN)) \
	X(verify_after_update,  P_NONE, OA, A_NA, single_after_update(f, x, P_VERIFY)) \
	X(digest_after_update,  P_NONE, OA, A_NA, single_after_update(f, x, P_DIGEST)) \
	X(init_pin_rw_public,   P_NONE, UNLI, A_NA, on_other(RW, PUBLIC, O_INIT_PIN)) \
	X(init_pin_ro_public,   P_NONE, UNLI, A_NA, on_other(RO, PUBLIC, O_INIT_PIN)) \
	X(init_pin_rw_user,     P_NONE, UNLI, A_NA, on_other(RW, CKU_USER, O_INIT_PIN)) \
	X(init_pin_ro_user,     P_NONE, UNLI, A_NA, on_other(RO, CKU_USER, O_INIT_PIN)) \
	X(context_login_no_op,  P_NONE, OPNI, A_NA, on_other(RW, CKU_USER, O_CONTEXT_LOGIN)) \
	X(init_token_sessions,  P_NONE, CKR_SESSION_EXISTS, A_NA, on_other(RO, PUBLIC, O_INIT_TOKEN)) \
	X(ro_public_create_token, P_NONE, SRO, A_NA, on_other(RO, PUBLIC, O_CREATE_TOKEN)) \
	X(ro_user_create_token, P_NONE, SRO, A_NA, on_other(RO, CKU_USER, O_CREATE_TOKEN)) \
	X(ro_user_create_private_token, P_NONE, SRO, A_NA, on_other(RO, CKU_USER, O_CREATE_PRIVATE_TOKEN)) \
	X(ro_user_set_token_obj, P_NONE, SRO, A_NA, on_other(RO, CKU_USER, O_SET_TOKEN_OBJ)) \
	X(ro_user_destroy_token_obj, P_NONE, SRO, A_NA, on_other(RO, CKU_USER, O_DESTROY_TOKEN_OBJ)) \
	X(ro_user_copy_to_token, P_NONE, SRO, A_NA, on_other(RO, CKU_USER, O_COPY_TO_TOKEN)) \
	X(ro_user_gen_token_pair, P_NONE, SRO, A_NA, on_other(RO, CKU_USER, O_GEN_TOKEN_PAIR)) \
	X(rw_public_create_private, P_NONE, UNLI, A_NA, on_other(RW, PUBLIC, O_CREATE_PRIVATE)) \
	X(ro_public_create_private, P_NONE, UNLI, A_NA, on_other(RO, PUBLIC, O_CREATE_PRIVATE)) \
	X(rw_public_create_private_token, P_NONE, UNLI, A_NA, on_other(RW, PUBLIC, O_CREATE_PRIVATE_TOKEN)) \
	X(rw_public_copy_to_private, P_NONE, UNLI, A_NA, on_other(RW, PUBLIC, O_COPY_TO_PRIVATE)) \
	X(rw_public_gen_private_pair, P_NONE, UNLI, A_NA, on_other(RW, PUBLIC, O_GEN_PRIVATE_PAIR)) \
	X(rw_so_create_private, P_NONE, UNLI, A_NA, on_other(RW, CKU_SO, O_CREATE_PRIVATE)) \
	X(rw_so_gen_private_pair, P_NONE, UNLI, A_NA, on_other(RW, CKU_SO, O_GEN_PRIVATE_PAIR))
/* clang-format on */
STATE_CASES(D_DEF)
static const bad_case state_cases[] = { STATE_CASES(D_ROW) };

/* ---- fixture and tests --------------------------------------------------- */

static void make_fixture(void)
{
	h_tmpl t;

	fx.slot = h_slot;
	fx.keeper = h_open(h_slot, 1);
	h_login(fx.keeper, CKU_USER);
	fx.data = h_data(fx.keeper, "data", CK_FALSE, CK_FALSE);
	h_gen_ec(fx.keeper, &h_curves[0], CK_FALSE, &fx.pub, &fx.priv);
	h_import_rsa(fx.keeper, &fx.rsa_pub, &fx.rsa_priv);
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	fx.secret = h_create(fx.keeper, &t);
}

static void check_mismatches(void)
{
	int n = mismatches;

	mismatches = 0;
	if (n > 0)
		fail_msg("%d case(s) gave the wrong code (listed above)", n);
}

static int setup_64bit(void **state)
{
	if (sizeof(CK_ULONG) < 8)
		skip(); /* the lengths past 2^32 need a 64-bit CK_ULONG */
	return h_setup(state);
}

/* (a) before C_Initialize, live, and after C_Finalize with stale handles. */
static void test_null_pointers(void **state)
{
	(void)state;
	fx = (fixture){ 1, 0x1234, 0x1234, 0x5678, 0x5679, 0x567a, 0x567b, 0x567c, 0x567d };
	run_table("before C_Initialize", null_cases, COUNT(null_cases), 0);
	h_initialize();
	h_slot = h_init_token(H_LABEL);
	h_init_user_pin(h_slot);
	make_fixture();
	run_table("null", null_cases, COUNT(null_cases), 1);
	h_finalize();
	run_table("after C_Finalize", null_cases, COUNT(null_cases), 0);
	print_message("%zu NULL-pointer cases, three times\n", COUNT(null_cases));
	check_mismatches();
}

static void test_huge_lengths(void **state)
{
	(void)state;
	h_initialize();
	h_slot = h_init_token(H_LABEL);
	h_init_user_pin(h_slot);
	make_fixture();
	run_table("huge", huge_cases, COUNT(huge_cases), 1);
	print_message("%zu huge-length cases\n", COUNT(huge_cases));
	check_mismatches();
}

static void test_bad_handles(void **state)
{
	CK_SESSION_HANDLE gone, gone_all, stale_s, s2;
	CK_OBJECT_HANDLE destroyed, closed_owner, stale_o, foreign, found[64];
	CK_ULONG n, i;
	int k;

	(void)state;
	h_initialize();
	h_slot = h_init_token(H_LABEL);
	h_init_user_pin(h_slot);
	other = h_init_token("other token");
	h_init_user_pin(other);

	/* Handles from before C_Finalize: a session and the last of many
	 * session objects (beyond what the fixture below will reuse). */
	stale_s = h_open(h_slot, 1);
	for (k = 0; k < 40; k++)
		stale_o = h_data(stale_s, "stale", CK_FALSE, CK_FALSE);
	h_reinit();
	make_fixture();

	gone = h_open(h_slot, 0);
	closed_owner = h_data(gone, "owned by a closed session", CK_FALSE, CK_FALSE);
	assert_ok(p11->C_CloseSession(gone));
	destroyed = h_data(fx.keeper, "destroyed", CK_FALSE, CK_FALSE);
	assert_ok(p11->C_DestroyObject(fx.keeper, destroyed));
	s2 = h_open(other, 1);
	foreign = h_data(s2, "on the other token", CK_FALSE, CK_FALSE);
	gone_all = h_open(other, 0);
	assert_ok(p11->C_CloseAllSessions(other));

	/* The kinds must not name something live by accident: handle spaces of
	 * sessions and objects overlap (both count from 1; the first session
	 * and the first object have the same handle), so the session used as
	 * an object handle is one whose handle no object has. */
	n = h_find(fx.keeper, NULL, 0, found, 63);
	found[n++] = foreign;
	for (i = 0; i < n; i++)
		assert_true(found[i] != stale_o);
	spare = h_open(h_slot, 0);
	while (h_handle_in(spare, found, n))
		spare = h_open(h_slot, 0);
	{
		const bad_handle objects[] = {
			{ "0", CK_INVALID_HANDLE },
			{ "ULONG_MAX", UMAX },
			{ "garbage", 0xdeadbeefUL },
			{ "index + 2^32", WRAP32(fx.data) },
			{ "a session handle", spare },
			{ "destroyed", destroyed },
			{ "of a closed session", closed_owner },
			{ "of another token", foreign },
			{ "from before C_Finalize", stale_o },
		};
		const bad_handle sessions[] = {
			{ "0", CK_INVALID_HANDLE },
			{ "ULONG_MAX", UMAX },
			{ "index + 2^32", WRAP32(fx.keeper) },
			{ "an object handle", fx.secret },
			{ "closed", gone },
			{ "closed by C_CloseAllSessions", gone_all },
			{ "from before C_Finalize", stale_s },
		};
		const bad_handle slots[] = {
			{ "ULONG_MAX", UMAX },
			{ "slot + 2^32", WRAP32(h_slot) },
			{ "a session handle", fx.keeper },
		};

		assert_true(fx.secret != gone && fx.secret != gone_all && fx.secret != stale_s);
		run_handles("object handle", object_fns, COUNT(object_fns), objects, COUNT(objects),
			    0);
		run_handles("session handle", session_fns, COUNT(session_fns), sessions,
			    COUNT(sessions), 1);
		run_handles("slot id", slot_fns, COUNT(slot_fns), slots, COUNT(slots), 0);
		print_message("%zu object-handle, %zu session-handle, %zu slot-id cases\n",
			      COUNT(object_fns) * COUNT(objects),
			      COUNT(session_fns) * COUNT(sessions), COUNT(slot_fns) * COUNT(slots));
	}
	/* The session object of another session is the application's: valid
	 * from any session (v2.40 4.4), which every case above relies on. */
	s2 = h_open(h_slot, 0);
	assert_int_equal(h_get_bool(s2, fx.data, CKA_TOKEN), CK_FALSE);
	check_mismatches();
}

static void test_wrong_states(void **state)
{
	(void)state;
	h_initialize();
	h_slot = h_init_token(H_LABEL);
	h_init_user_pin(h_slot);
	other = h_init_token("other token");
	h_init_user_pin(other);
	make_fixture();
	run_table("state", state_cases, COUNT(state_cases), 1);
	print_message("%zu wrong-state cases\n", COUNT(state_cases));
	check_mismatches();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_null_pointers, setup_64bit, h_teardown),
		cmocka_unit_test_setup_teardown(test_huge_lengths, setup_64bit, h_teardown),
		cmocka_unit_test_setup_teardown(test_bad_handles, setup_64bit, h_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_states, setup_64bit, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
