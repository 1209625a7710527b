/*
 * Shared by the cipher_* harnesses (cipher_init and the data functions
 * C_Encrypt* / C_Decrypt*): an R/W session on slot 1 with two AES secret
 * keys (CKK_AES, CKA_ENCRYPT and CKA_DECRYPT TRUE, public: no login
 * needed) of 16 and 32 bytes, made by C_CreateObject.
 */
#ifndef VERIFY_CIPHER_COMMON_H
#define VERIFY_CIPHER_COMMON_H

#include <limits.h>
#include <stdlib.h>

#include "core/module.h"
#include "core/op.h"
#include "setup.h"

static CK_OBJECT_HANDLE cipher_aes_key(CK_SESSION_HANDLE s, CK_BYTE *value, CK_ULONG len)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
	static CK_KEY_TYPE aes = CKK_AES;
	static CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &secret, sizeof(secret) }, { CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, sizeof(no) },       { CKA_ENCRYPT, &yes, sizeof(yes) },
		{ CKA_DECRYPT, &yes, sizeof(yes) },     { CKA_VALUE, value, len },
	};

	return verify_create(s, tmpl, 6);
}

static CK_SESSION_HANDLE cipher_setup(CK_OBJECT_HANDLE keys[2])
{
	static CK_BYTE v16[16] = { 1 }, v32[32] = { 2 };
	CK_SESSION_HANDLE s = verify_open_session();

	keys[0] = cipher_aes_key(s, v16, sizeof(v16));
	keys[1] = cipher_aes_key(s, v32, sizeof(v32));
	return s;
}

/*
 * The state of the cipher_crypt_* harnesses, on the session of
 * cipher_setup with the 16-byte AES key (keys[0]); the mechanism
 * (verify_case_c) is CKM_AES_ECB, CKM_AES_CBC_PAD (16-byte IV),
 * CKM_AES_GCM (12-byte IV, 16 bytes of AAD, 128-bit tag), CKM_AES_CTR (128
 * counter bits), CKM_AES_KEY_WRAP or CKM_AES_KEY_WRAP_PAD; by
 * verify_case_g:
 *   0 C_EncryptInit (decrypt: C_DecryptInit) done, the operation fresh;
 *   1 that and an update of 5 bytes (AES modes: the key wraps are
 *     single-part), made by op_cipher_update_need/op_cipher_update, what
 *     C_*Update calls once it has checked its arguments (through the API,
 *     api_impossible_len compares an address with UINTPTR_MAX - 5, which
 *     EVA cannot decide: the failure would join the states);
 *   2 no operation (CKM_AES_ECB only: the mechanism is not used);
 *   3 (decrypt, CKM_AES_CBC_PAD only) an update of 32 bytes, then a
 *     final with a 0-byte buffer (op_cipher_final_need/op_cipher_final, as
 *     C_DecryptFinal(s, sink, &zero)): CKR_BUFFER_TOO_SMALL, the last
 *     block's plaintext (15 bytes in setup) pending in the operation.
 * *near: the output length the call under proof needs for 32 input bytes
 * (single part and update) or for none (final), the centre of the output
 * lengths (verify_len_buffer). With `fresh_only`, state 0 alone.
 */
static CK_SESSION_HANDLE cipher_op_state(int decrypt, int call, int fresh_only, CK_ULONG *near)
{
	static const CK_MECHANISM_TYPE types[] = { CKM_AES_ECB,      CKM_AES_CBC_PAD,
						   CKM_AES_GCM,      CKM_AES_CTR,
						   CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD };
	/* The output for 32 input bytes: single part (encrypt, decrypt),
	 * update (fresh); final (fresh). */
	static const CK_ULONG once_need[2][6] = { { 32, 48, 48, 32, 40, 40 },
						  { 32, 32, 16, 32, 24, 24 } };
	static const CK_ULONG update_need[2][6] = { { 32, 32, 32, 32, 32, 32 },
						    { 32, 16, 0, 32, 32, 32 } };
	static const CK_ULONG final_need[2][6] = { { 0, 16, 16, 0, 0, 0 }, { 0, 15, 0, 0, 0, 0 } };
	static CK_BYTE iv16[16], iv12[12], aad16[16], part[32], sink[64];
	static CK_GCM_PARAMS gcm = { iv12, 12, 96, aad16, 16, 128 };
	static CK_AES_CTR_PARAMS ctr = { 128, { 0 } };
	CK_MECHANISM m = { 0, NULL, 0 };
	CK_OBJECT_HANDLE keys[2];
	CK_SESSION_HANDLE s;
	int exact = 1;
	size_t need, len;
	op *o;
	CK_RV rv;

	s = cipher_setup(keys);
	o = decrypt ? &((session *)handle_get(&module.sessions, s))->decrypt
		    : &((session *)handle_get(&module.sessions, s))->encrypt;
	verify_case_c = Frama_C_interval(0, 5);
	m.mechanism = types[verify_case_c];
	if (verify_case_c == 1) {
		m.pParameter = iv16;
		m.ulParameterLen = sizeof(iv16);
	} else if (verify_case_c == 2) {
		m.pParameter = &gcm;
		m.ulParameterLen = sizeof(gcm);
	} else if (verify_case_c == 3) {
		m.pParameter = &ctr;
		m.ulParameterLen = sizeof(ctr);
	}
	if (fresh_only)
		verify_case_g = 0;
	else if (verify_case_c == 0)
		verify_case_g = Frama_C_interval(0, 2);
	else if (verify_case_c == 1 && decrypt)
		verify_case_g = Frama_C_interval(0, 3) == 2 ? 3 : Frama_C_interval(0, 1);
	else if (verify_case_c <= 3)
		verify_case_g = Frama_C_interval(0, 1);
	else
		verify_case_g = 0;
	if (verify_case_g != 2) {
		rv = decrypt ? C_DecryptInit(s, &m, keys[0]) : C_EncryptInit(s, &m, keys[0]);
		//@ assert setup_init: rv == CKR_OK;
	}
	if (verify_case_g == 1 || verify_case_g == 3) {
		len = verify_case_g == 1 ? 5 : 32;
		rv = op_cipher_update_need(o, len, &need);
		//@ assert setup_update_need: rv == CKR_OK && need <= sizeof(sink);
		rv = op_cipher_update(o, part, len, sink, &need);
		//@ assert setup_update: rv == CKR_OK;
	}
	if (verify_case_g == 3) {
		/* What C_DecryptFinal(s, sink, &zero) does past its argument
		 * checks (there api_impossible_len(sink, 0) would again compare
		 * an address). */
		rv = op_cipher_final_need(o, &need, &exact);
		//@ assert setup_final_need: rv == CKR_OK && exact == 0;
		rv = op_cipher_final(o, sink, 0, &need);
		//@ assert setup_pending: rv == CKR_BUFFER_TOO_SMALL && o->has_pending;
	}
	if (call == 0)
		*near = once_need[decrypt][verify_case_c];
	else if (call == 1)
		*near = update_need[decrypt][verify_case_c];
	else
		*near = final_need[decrypt][verify_case_c];
	return s;
}

/*
 * The arguments of the cipher_* data harnesses' call, one of these
 * (verify_case_a), not their product (time: see the harnesses). With
 * `inputs` (the operation fresh):
 *   0 .. 11   the input (pData, ulDataLen) verify_len_buffer around 32 (real
 *             buffers up to 2048), the output 4096 bytes with *pulOutLen
 *             4096 (room for the output of any input up to 2048 bytes).
 * Else 32 input bytes (final: none) and, the operation fresh:
 *   12 .. 23  the output (pOut, *pulOutLen) verify_len_buffer around *near
 *             (an output);
 *   24        pulOutLen NULL;
 *   25        (CKM_AES_ECB only) the session handle any value (the open
 *             one otherwise: the handle forms are proved with every state
 *             by cipher_init; api_enter_session is the same call);
 * or, in the other operation states, 15 (an output buffer of exactly
 * *near bytes) and 23 (a NULL output with any length: the length asked).
 */
typedef struct cipher_args {
	CK_SESSION_HANDLE h;
	CK_BYTE_PTR in, out;
	CK_ULONG inlen;
	CK_ULONG_PTR plen;
} cipher_args;

static void cipher_args_draw(CK_SESSION_HANDLE s, int call, int inputs, CK_ULONG near,
			     cipher_args *a)
{
	static CK_BYTE in32[32], out_big[4096];
	static CK_ULONG outlen;
	CK_ULONG len = 0;
	void *buf = NULL;

	a->h = s;
	a->in = in32;
	a->inlen = sizeof(in32);
	a->out = out_big;
	a->plen = &outlen;
	outlen = sizeof(out_big);
	if (inputs)
		verify_case_a = Frama_C_interval(0, 11);
	else if (verify_case_g == 0)
		verify_case_a = Frama_C_interval(12, verify_case_c == 0 ? 25 : 24);
	else
		verify_case_a = Frama_C_interval(0, 1) ? 15 : 23;
	if (verify_case_a < 12) {
		verify_len_buffer(&verify_case_e, 32, 1, 1, &len, &buf);
		a->in = buf;
		a->inlen = len;
	} else if (verify_case_a < 24 && verify_case_g == 0) {
		verify_len_buffer(&verify_case_f, near, 1, 0, &len, &buf);
		a->out = buf;
		outlen = len;
	} else if (verify_case_a == 15) {
		a->out = malloc(near > 0 ? near : 1);
		//@ assert harness_malloc: a->out != \null;
		outlen = near;
	} else if (verify_case_a == 23) {
		a->out = NULL;
		outlen = Frama_C_unsigned_long_interval(0, ULONG_MAX);
	} else if (verify_case_a == 24) {
		a->plen = NULL;
	} else {
		a->h = Frama_C_unsigned_long_interval(0, ULONG_MAX);
	}
	if (call == 2) {
		a->in = NULL;
		a->inlen = 0;
	}
}

#endif
