/* The object index (see index.h). */
#include "core/index.h"

#if IOT_WITH_INDEX

const CK_ATTRIBUTE_TYPE index_types[INDEX_TYPES] = { CKA_CLASS, CKA_ID, CKA_LABEL };

uint64_t index_hash(CK_ATTRIBUTE_TYPE type, const void *value, size_t len)
{
	/* FNV-1a over the type and the value: cheap and good enough, since
	 * chains are compared by value anyway. */
	const unsigned char *p = value;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < sizeof(type); i++) {
		h ^= (unsigned char)(type >> (8 * i));
		h *= 0x100000001b3ull;
	}
	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Rehashes into nb buckets (a power of two above the current number). */
static CK_RV grow(obj_index *ix, size_t nb)
{
	index_node **b = port_calloc(nb, sizeof(*b));
	size_t i;

	if (b == NULL)
		return CKR_HOST_MEMORY;
	for (i = 0; i < ix->nbuckets; i++) {
		index_node *n = ix->buckets[i];

		while (n != NULL) {
			index_node *next = n->next;
			size_t j = (size_t)(n->hash & (nb - 1));

			n->prev = NULL;
			n->next = b[j];
			if (b[j] != NULL)
				b[j]->prev = n;
			b[j] = n;
			n = next;
		}
	}
	port_free(ix->buckets);
	ix->buckets = b;
	ix->nbuckets = nb;
	return CKR_OK;
}

CK_RV index_insert(obj_index *ix, index_node *n)
{
	size_t j;

	if (ix->count + 1 > ix->nbuckets) {
		CK_RV rv = grow(ix, ix->nbuckets ? ix->nbuckets * 2 : 256);

		if (rv != CKR_OK)
			return rv;
	}
	j = (size_t)(n->hash & (ix->nbuckets - 1));
	n->prev = NULL;
	n->next = ix->buckets[j];
	if (n->next != NULL)
		n->next->prev = n;
	ix->buckets[j] = n;
	n->linked = 1;
	ix->count++;
	return CKR_OK;
}

CK_RV index_reserve(obj_index *ix, size_t n)
{
	size_t nb = ix->nbuckets ? ix->nbuckets : 256;

	/* At most one node per bucket on average, as index_insert keeps it. */
	while (nb < n) {
		if (nb > SIZE_MAX / 2 / sizeof(index_node *))
			return CKR_HOST_MEMORY;
		nb *= 2;
	}
	return nb > ix->nbuckets ? grow(ix, nb) : CKR_OK;
}

void index_remove(obj_index *ix, index_node *n)
{
	if (!n->linked)
		return;
	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		ix->buckets[n->hash & (ix->nbuckets - 1)] = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	n->next = n->prev = NULL;
	n->linked = 0;
	ix->count--;
}

index_node *index_chain(const obj_index *ix, uint64_t hash)
{
	if (ix->nbuckets == 0)
		return NULL;
	return ix->buckets[hash & (ix->nbuckets - 1)];
}

void index_free(obj_index *ix)
{
	port_free(ix->buckets);
	ix->buckets = NULL;
	ix->nbuckets = 0;
	ix->count = 0;
}

#endif /* IOT_WITH_INDEX */
