/*
 * C_GenerateRandom(hSession, pRandomData, ulRandomLen) with an R/W session
 * on slot 1, with hSession from verify_session_handle and (pRandomData,
 * ulRandomLen) from verify_len_buffer around 32 in its input mode: the
 * module hands all ulRandomLen bytes to crypto_random (no cap), so the
 * accepted lengths get real buffers of that length (1025 and 2048 for the
 * 2^32 cases), and lengths above PTRDIFF_MAX a small one: the crypto stub
 * checks that every byte it is told to write is writable.
 */
#include "setup.h"

int main(void)
{
	CK_SESSION_HANDLE s;
	CK_ULONG len = 0;
	void *buf = NULL;
	CK_RV rv;

	s = verify_open_session();
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 32, 1, 1, &len, &buf);
	rv = C_GenerateRandom(verify_session_handle(s), (CK_BYTE_PTR)buf, len);
	verify_done(rv);
	return 0;
}
