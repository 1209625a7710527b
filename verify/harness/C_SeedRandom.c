/*
 * C_SeedRandom(hSession, pSeed, ulSeedLen) with an R/W session on slot 1,
 * with hSession from verify_session_handle and (pSeed, ulSeedLen) from
 * verify_len_buffer around 32 (an input; the module reads none of it).
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
	rv = C_SeedRandom(verify_session_handle(s), (CK_BYTE_PTR)buf, len);
	verify_done(rv);
	return 0;
}
