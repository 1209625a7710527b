/* The mechanism table (see mech.h). Mechanisms arrive with the crypto
 * operations that implement them; until then the table is empty and every
 * mechanism is CKR_MECHANISM_INVALID. */
#include "core/mech.h"

/* A zero-length array is not C: the table ends at the first row whose
 * flags are 0, and that row is never offered. */
static const mech_row rows[] = {
	{ 0, 0, 0, 0 },
};

static size_t row_count(void)
{
	size_t n = 0;

	while (n < sizeof(rows) / sizeof(rows[0]) && rows[n].flags != 0)
		n++;
	return n;
}

const mech_row *mech_find(CK_MECHANISM_TYPE type)
{
	size_t i, n = row_count();

	for (i = 0; i < n; i++)
		if (rows[i].type == type)
			return &rows[i];
	return NULL;
}

const mech_row *mech_all(size_t *count)
{
	*count = row_count();
	return rows;
}
