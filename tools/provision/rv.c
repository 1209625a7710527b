/*
 * The CK_RV names of the API (the table is tools/common/ckr_name.c) and its
 * free function.
 */
#include <malloc.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "../common/ckr_name.h"
#include "prov.h"

const char *iot_prov_rv_name(CK_RV rv)
{
	return iot_ckr_name(rv);
}

void iot_prov_free(void *p)
{
	/* Outputs may hold a private key (the PEM of iot_prov_parse_header):
	 * wipe the whole block, whose size malloc knows, before freeing. */
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, malloc_usable_size(p));
	free(p);
}
