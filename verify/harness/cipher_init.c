/*
 * C_EncryptInit and C_DecryptInit (verify_case_b: which) on the session of
 * cipher_common.h, with or without an operation of the same kind already
 * active (verify_case_g: CKM_AES_ECB, initialized in setup: the second init
 * must be refused without harm), and:
 *   hSession    verify_session_handle;
 *   hKey        the 16- or 32-byte AES key, a 16-byte AES key without
 *               CKA_ENCRYPT/CKA_DECRYPT (verify_aes_key), or an invalid
 *               handle (verify_object_handle, verify_case_d);
 *   pMechanism  (verify_case_c) NULL; CKM_AES_ECB without and with an
 *               8-byte parameter; CKM_AES_CBC_PAD with a 16-byte IV, IV
 *               lengths 15 and 17 (real buffers), NULL with 16;
 *               CKM_AES_CTR with CK_AES_CTR_PARAMS of any ulCounterBits,
 *               the parameter cut short, NULL; CKM_AES_KEY_WRAP without and
 *               with a parameter; CKM_AES_GCM with CK_GCM_PARAMS and with
 *               the short form (no ulIvBits, a 12-byte IV, 16 bytes of AAD,
 *               ulTagBits 0, 32, 96, 128, 136, ULONG_MAX): IV (pIv, ulIvLen)
 *               verify_len_buffer around CRYPTO_GCM_MAX_IV (128) with
 *               16 bytes of AAD (verify_case_e), or a 12-byte IV with AAD
 *               verify_len_buffer around 16 or a real 65536/65537-byte AAD
 *               (the CRYPTO_GCM_MAX_AAD boundary) or NULL with length 1;
 *               ulTagBits any value; ulParameterLen other than both forms;
 *               NULL; an unknown mechanism type and CKM_ECDSA.
 * Every allocation and crypto_aes_new may fail.
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full
 */
#include <limits.h>

#include "cipher_common.h"
#include "crypto/crypto_sym.h"

static CK_BYTE iv16[16], iv15[15], iv17[17], iv12[12], aad16[16], param8[8];
static CK_BYTE big_aad[65537];

enum {
	M_NULL,
	M_ECB,
	M_ECB_PARAM,
	M_CBC_PAD,
	M_CBC_PAD_15,
	M_CBC_PAD_17,
	M_CBC_PAD_NULL,
	M_CTR,
	M_CTR_SHORT,
	M_CTR_NULL,
	M_KW,
	M_KW_PARAM,
	M_GCM_IV,
	M_GCM_AAD,
	M_GCM_AAD_MAX,
	M_GCM_AAD_OVER,
	M_GCM_AAD_NULL,
	M_GCM_SHORT,
	M_GCM_BAD_LEN,
	M_GCM_NULL,
	M_UNKNOWN,
	M_ECDSA,
	M_COUNT
};

int main(void)
{
	static CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
	static const CK_ULONG tag_bits[] = { 0, 32, 96, 128, 136, ULONG_MAX };
	static CK_MECHANISM m;
	static CK_GCM_PARAMS gcm;
	static CK_AES_CTR_PARAMS ctr;
	static struct {
		CK_BYTE_PTR pIv;
		CK_ULONG ulIvLen;
		CK_BYTE_PTR pAAD;
		CK_ULONG ulAADLen;
		CK_ULONG ulTagBits;
	} gcm_short;
	CK_OBJECT_HANDLE keys[3];
	CK_SESSION_HANDLE s;
	CK_ULONG len = 0;
	void *buf = NULL;
	CK_MECHANISM_PTR mp = &m;
	CK_RV rv;

	s = cipher_setup(keys);
	keys[2] = verify_aes_key(s);
	verify_case_b = Frama_C_interval(0, 1);
	verify_case_g = Frama_C_interval(0, 1);
	if (verify_case_g) {
		rv = verify_case_b ? C_DecryptInit(s, &ecb, keys[0])
				   : C_EncryptInit(s, &ecb, keys[0]);
		//@ assert setup_init: rv == CKR_OK;
	}
	verify_setup = 0;

	gcm.ulTagBits = Frama_C_unsigned_long_interval(0, ULONG_MAX);
	gcm.ulIvBits = Frama_C_unsigned_long_interval(0, ULONG_MAX);
	gcm.pIv = iv12;
	gcm.ulIvLen = sizeof(iv12);
	gcm.pAAD = aad16;
	gcm.ulAADLen = sizeof(aad16);
	m.pParameter = &gcm;
	m.ulParameterLen = sizeof(gcm);
	m.mechanism = CKM_AES_GCM;
	verify_case_c = Frama_C_interval(0, M_COUNT - 1);
	switch (verify_case_c) {
	case M_NULL:
		mp = NULL;
		break;
	case M_ECB:
	case M_ECB_PARAM:
	case M_KW:
	case M_KW_PARAM:
	case M_UNKNOWN:
	case M_ECDSA:
		m.mechanism = verify_case_c <= M_ECB_PARAM  ? CKM_AES_ECB
			      : verify_case_c <= M_KW_PARAM ? CKM_AES_KEY_WRAP
			      : verify_case_c == M_UNKNOWN  ? CKM_VENDOR_DEFINED | 7
							    : CKM_ECDSA;
		m.pParameter = NULL;
		m.ulParameterLen = 0;
		if (verify_case_c == M_ECB_PARAM || verify_case_c == M_KW_PARAM) {
			m.pParameter = param8;
			m.ulParameterLen = sizeof(param8);
		}
		break;
	case M_CBC_PAD:
	case M_CBC_PAD_15:
	case M_CBC_PAD_17:
	case M_CBC_PAD_NULL:
		m.mechanism = CKM_AES_CBC_PAD;
		m.pParameter = verify_case_c == M_CBC_PAD      ? iv16
			       : verify_case_c == M_CBC_PAD_15 ? iv15
			       : verify_case_c == M_CBC_PAD_17 ? iv17
							       : NULL;
		m.ulParameterLen = verify_case_c == M_CBC_PAD_15   ? 15
				   : verify_case_c == M_CBC_PAD_17 ? 17
								   : 16;
		break;
	case M_CTR:
	case M_CTR_SHORT:
	case M_CTR_NULL:
		m.mechanism = CKM_AES_CTR;
		ctr.ulCounterBits = Frama_C_unsigned_long_interval(0, ULONG_MAX);
		m.pParameter = verify_case_c == M_CTR_NULL ? NULL : &ctr;
		m.ulParameterLen = verify_case_c == M_CTR_SHORT ? sizeof(ctr) - 1 : sizeof(ctr);
		break;
	case M_GCM_IV:
		verify_len_buffer(&verify_case_e, CRYPTO_GCM_MAX_IV, 1, 1, &len, &buf);
		gcm.pIv = buf;
		gcm.ulIvLen = len;
		break;
	case M_GCM_AAD:
		verify_len_buffer(&verify_case_e, 16, 1, 1, &len, &buf);
		gcm.pAAD = buf;
		gcm.ulAADLen = len;
		break;
	case M_GCM_AAD_MAX:
	case M_GCM_AAD_OVER:
		gcm.pAAD = big_aad;
		gcm.ulAADLen = verify_case_c == M_GCM_AAD_MAX ? CRYPTO_GCM_MAX_AAD
							      : CRYPTO_GCM_MAX_AAD + 1;
		break;
	case M_GCM_AAD_NULL:
		gcm.pAAD = NULL;
		gcm.ulAADLen = 1;
		break;
	case M_GCM_SHORT:
		gcm_short.pIv = iv12;
		gcm_short.ulIvLen = sizeof(iv12);
		gcm_short.pAAD = aad16;
		gcm_short.ulAADLen = sizeof(aad16);
		verify_case_e = Frama_C_interval(0, 5);
		gcm_short.ulTagBits = tag_bits[verify_case_e];
		m.pParameter = &gcm_short;
		m.ulParameterLen = sizeof(gcm_short);
		break;
	case M_GCM_BAD_LEN:
		m.ulParameterLen = sizeof(gcm) + 8;
		break;
	default:
		m.pParameter = NULL;
		break;
	}
	rv = verify_case_b ? C_DecryptInit(verify_session_handle(s), mp,
					   verify_object_handle(&verify_case_d, keys, 3))
			   : C_EncryptInit(verify_session_handle(s), mp,
					   verify_object_handle(&verify_case_d, keys, 3));
	verify_done(rv);
	return 0;
}
