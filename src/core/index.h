/*
 * The object index: a hash multimap from (attribute type, value) to objects
 * for CKA_CLASS, CKA_ID and CKA_LABEL, so that C_FindObjectsInit by any of
 * them costs the size of the answer, not the number of objects. Nodes live
 * inside the objects (no allocation per entry) and chains are doubly linked
 * (O(1) removal even from a bucket holding every key of a class).
 */
#ifndef IOTOKEN_INDEX_H
#define IOTOKEN_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "port/port.h"

struct object;

typedef struct index_node {
	struct index_node *next, *prev;
	struct object *obj;
	CK_ATTRIBUTE_TYPE type;
	uint64_t hash;
	int linked;
} index_node;

typedef struct obj_index {
	index_node **buckets;
	size_t nbuckets;
	size_t count;
} obj_index;

/* The attribute types the index covers, in the order of object.idx[]. */
#define INDEX_TYPES 3
#if IOT_WITH_INDEX
extern const CK_ATTRIBUTE_TYPE index_types[INDEX_TYPES];

uint64_t index_hash(CK_ATTRIBUTE_TYPE type, const void *value, size_t len);
CK_RV index_insert(obj_index *ix, index_node *n) IOT_MUST_CHECK;
/* Room for n entries in all: inserting up to n causes no rehash. */
CK_RV index_reserve(obj_index *ix, size_t n) IOT_MUST_CHECK;
void index_remove(obj_index *ix, index_node *n);
/* The first node of the chain that may hold (type, hash); walk ->next and
 * compare type, hash and then the value. */
index_node *index_chain(const obj_index *ix, uint64_t hash);
void index_free(obj_index *ix);
#endif

#endif
