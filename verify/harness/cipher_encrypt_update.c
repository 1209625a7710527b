/*
 * C_EncryptUpdate on the operation states of cipher_common.h
 * (cipher_op_state: the 16-byte AES key with CKM_AES_ECB, CKM_AES_CBC_PAD,
 * CKM_AES_GCM, CKM_AES_CTR, CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD; fresh,
 * after an update of 5 bytes, not initialized) with the arguments of
 * cipher_args_draw: 32 input bytes; the output (pOut, *pulOutLen)
 * verify_len_buffer around the need (cipher_op_state's table), pulOutLen
 * NULL, or (CKM_AES_ECB) the session handle any value; in the other states
 * an output of exactly the need or NULL with any length (the length asked).
 * The input lengths: harness cipher_encrypt_update_in.
 * Every allocation and every crypto_aes_* call may fail with any error its
 * contract allows; the crypto stub checks the lengths the module hands it.
 * Narrowed (time; the whole product took ~6,000 cases in one harness):
 * every output length only on a fresh operation, and with one input
 * length (32 bytes), and the invalid session handles (proved
 * with every state by cipher_init: the same api_enter_session) once.
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full
 */
#include "cipher_common.h"

int main(void)
{
	CK_ULONG near = 0;
	cipher_args a;
	CK_SESSION_HANDLE s = cipher_op_state(0, 1, 0, &near);

	verify_setup = 0;
	cipher_args_draw(s, 1, 0, near, &a);
	verify_done(C_EncryptUpdate(a.h, a.in, a.inlen, a.out, a.plen));
	return 0;
}
