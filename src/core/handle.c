/* Handle tables (see module.h): O(1) lookup, generations against reuse. */
#include <limits.h>

#include "core/module.h"

#if ULONG_MAX > 0xffffffffUL
/* With a 64-bit CK_ULONG every handle takes the next value of one process-
 * wide generation counter (40 bits: a trillion handles): no handle value is
 * ever issued twice, across the session and object tables and across
 * C_Finalize + C_Initialize, so a handle kept from before is never valid
 * again. Called under the module lock. */
static CK_ULONG last_generation;
#define GENERATION_MAX (((CK_ULONG)-1 >> HANDLE_INDEX_BITS) - 1)
/* After 2^40 handles the counter starts again at 1. */
#define NEXT_GENERATION(slot) \
	(last_generation = last_generation >= GENERATION_MAX ? 1 : last_generation + 1)
#else
/* 32-bit CK_ULONG: 8 bits of generation, counted per slot (a slot is
 * retired before its generation wraps, see handle_release). */
#define NEXT_GENERATION(slot) ((slot)->generation + 1)
#endif

CK_RV handle_add(handle_table *t, void *ptr, CK_ULONG *out)
{
	size_t i;

	if (t->nfree > 0) {
		i = t->free_list[--t->nfree];
	} else {
		if (t->count == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 64;
			handle_slot *s;
			size_t *f;

			if (cap > HANDLE_INDEX_MAX)
				return CKR_HOST_MEMORY;
			s = port_realloc(t->slots, cap * sizeof(*s));
			if (s == NULL)
				return CKR_HOST_MEMORY;
			t->slots = s;
			f = port_realloc(t->free_list, cap * sizeof(*f));
			if (f == NULL)
				return CKR_HOST_MEMORY;
			t->free_list = f;
			t->cap = cap;
		}
		i = t->count++;
		t->slots[i].generation = 0;
	}
	t->slots[i].ptr = ptr;
	t->slots[i].generation = NEXT_GENERATION(&t->slots[i]);
	/* Generations run from 1, so no handle is ever 0 (CK_INVALID_HANDLE).
	 * On wrap-around a slot is retired rather than reused. */
	*out = (t->slots[i].generation << HANDLE_INDEX_BITS) | (CK_ULONG)(i + 1);
	return CKR_OK;
}

void *handle_get(const handle_table *t, CK_ULONG h)
{
	CK_ULONG i = (h & HANDLE_INDEX_MAX);
	CK_ULONG gen = h >> HANDLE_INDEX_BITS;

	if (i == 0 || i > t->count)
		return NULL;
	if (t->slots[i - 1].generation != gen)
		return NULL;
	return t->slots[i - 1].ptr;
}

void handle_release(handle_table *t, CK_ULONG h)
{
	CK_ULONG i = (h & HANDLE_INDEX_MAX);

	if (handle_get(t, h) == NULL)
		return;
	t->slots[i - 1].ptr = NULL;
	/* A slot whose generation would wrap into the index bits is retired. */
	if (t->slots[i - 1].generation >= ((CK_ULONG)-1 >> HANDLE_INDEX_BITS))
		return;
	t->free_list[t->nfree++] = (size_t)(i - 1);
}

void handle_table_free(handle_table *t)
{
	port_free(t->slots);
	port_free(t->free_list);
	t->slots = NULL;
	t->free_list = NULL;
	t->count = t->cap = t->nfree = 0;
}

void handle_set(handle_table *t, CK_ULONG h, void *ptr)
{
	if (handle_get(t, h) != NULL)
		t->slots[(h & HANDLE_INDEX_MAX) - 1].ptr = ptr;
}
