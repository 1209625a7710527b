/*
 * C_EncryptUpdate on the operation states of cipher_common.h
 * (cipher_op_state: the 16-byte AES key with CKM_AES_ECB, CKM_AES_CBC_PAD,
 * CKM_AES_GCM, CKM_AES_CTR, CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD; fresh)
 * with the arguments of cipher_args_draw: the input (pData, ulDataLen)
 * verify_len_buffer around 32 (an input: real buffers up to 2048) with a
 * 4096-byte output. The output lengths and the other operation states:
 * harness cipher_encrypt_update.
 * Every allocation and every crypto_aes_* call may fail with any error its
 * contract allows; the crypto stub checks the lengths the module hands it.
 * Narrowed (time; the whole product took ~6,000 cases in one harness):
 * input lengths only on a fresh operation and with one output buffer
 * large enough for any of them.
 * VERIFY-SLOW: about 65 s of CPU measured on a loaded machine; run with VERIFY_ALL=1 (README.md, Running)
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full
 */
#include "cipher_common.h"

int main(void)
{
	CK_ULONG near = 0;
	cipher_args a;
	CK_SESSION_HANDLE s = cipher_op_state(0, 1, 1, &near);

	verify_setup = 0;
	cipher_args_draw(s, 1, 1, near, &a);
	verify_done(C_EncryptUpdate(a.h, a.in, a.inlen, a.out, a.plen));
	return 0;
}
