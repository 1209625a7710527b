/*
 * The mechanism table: per mechanism its key sizes, flags and the key types
 * it works on. Adding a mechanism is adding a row (and its operation in the
 * crypto layer).
 */
#ifndef IOTOKEN_MECH_H
#define IOTOKEN_MECH_H

#include <stddef.h>

#include "port/port.h"

typedef struct mech_row {
	CK_MECHANISM_TYPE type;
	CK_ULONG min_key, max_key; /* CK_MECHANISM_INFO units (bits or bytes) */
	CK_FLAGS flags;            /* CKF_SIGN, CKF_VERIFY, CKF_DIGEST, ... */
} mech_row;

/* The row for type, or NULL when the token does not offer it. */
const mech_row *mech_find(CK_MECHANISM_TYPE type);
/* All rows; *count set. */
const mech_row *mech_all(size_t *count);

#endif
