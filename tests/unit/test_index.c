/*
 * Unit tests of the object index (src/core/index.c) and of the handle
 * tables (src/core/handle.c): everything inserted stays findable through
 * growth and removals, and a handle never comes back once released.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/index.h"
#include "core/module.h"

/* ---- the index ---- */

/* Nodes live in the caller's structs, as in struct object. */
struct item {
	uint32_t key;
	index_node node;
};

#define NITEMS 10000

static struct object *dummy_obj(struct item *it)
{
	/* Any non-NULL pointer: the index never dereferences obj. */
	return (struct object *)(void *)it;
}

static void item_init(struct item *it, uint32_t key, CK_ATTRIBUTE_TYPE type)
{
	memset(it, 0, sizeof(*it));
	it->key = key;
	it->node.obj = dummy_obj(it);
	it->node.type = type;
	it->node.hash = index_hash(type, &it->key, sizeof(it->key));
}

/* How many times n is on the chain for its hash (walking ->next, checking
 * ->prev links on the way). */
static int chain_count(const obj_index *ix, const index_node *n)
{
	const index_node *p = index_chain(ix, n->hash), *prev = NULL;
	int found = 0;
	size_t steps = 0;

	for (; p != NULL; prev = p, p = p->next) {
		assert_ptr_equal(p->prev, prev);
		assert_true(p->linked);
		if (p == n) {
			assert_int_equal(p->type, n->type);
			assert_true(p->hash == n->hash);
			found++;
		}
		assert_true(++steps <= ix->count);
	}
	return found;
}

/* Total nodes over all buckets, checking links. */
static size_t total_nodes(const obj_index *ix)
{
	size_t b, total = 0;

	for (b = 0; b < ix->nbuckets; b++) {
		const index_node *p, *prev = NULL;

		for (p = ix->buckets[b]; p != NULL; prev = p, p = p->next) {
			assert_ptr_equal(p->prev, prev);
			assert_int_equal((size_t)(p->hash & (ix->nbuckets - 1)), b);
			total++;
		}
	}
	return total;
}

static void test_index_empty(void **state)
{
	obj_index ix = { 0 };
	struct item it;

	(void)state;
	item_init(&it, 1, CKA_LABEL);
	assert_null(index_chain(&ix, it.node.hash));
	/* Removing what was never inserted is harmless. */
	index_remove(&ix, &it.node);
	assert_int_equal(ix.count, 0);
	index_free(&ix);
	index_free(&ix);
	assert_int_equal(index_types[0], CKA_CLASS);
	assert_int_equal(index_types[1], CKA_ID);
	assert_int_equal(index_types[2], CKA_LABEL);
}

static void test_index_hash(void **state)
{
	uint32_t v = 42;

	(void)state;
	/* Deterministic, and depends on both type and value. */
	assert_true(index_hash(CKA_LABEL, &v, 4) == index_hash(CKA_LABEL, &v, 4));
	assert_true(index_hash(CKA_LABEL, &v, 4) != index_hash(CKA_ID, &v, 4));
	assert_true(index_hash(CKA_LABEL, &v, 4) != index_hash(CKA_LABEL, &v, 3));
	v = 43;
	assert_true(index_hash(CKA_LABEL, &v, 4) != index_hash(CKA_LABEL, "\x2a\0\0\0", 4));
	/* FNV-1a, 64-bit: the empty input with type 0 is the offset basis
	 * run over eight zero bytes. */
	{
		uint64_t h = 0xcbf29ce484222325ull;
		int i;

		for (i = 0; i < 8; i++)
			h *= 0x100000001b3ull;
		assert_true(index_hash(0, NULL, 0) == h);
	}
}

static void test_index_many(void **state)
{
	struct item *items = calloc(NITEMS, sizeof(*items));
	obj_index ix = { 0 };
	size_t i;

	(void)state;
	assert_non_null(items);
	for (i = 0; i < NITEMS; i++) {
		item_init(&items[i], (uint32_t)i, index_types[i % INDEX_TYPES]);
		assert_int_equal(index_insert(&ix, &items[i].node), CKR_OK);
		assert_true(items[i].node.linked);
		assert_int_equal(ix.count, i + 1);
		/* Growth keeps everything findable: check all at each growth. */
		if ((i & (i + 1)) == 0 || i + 1 == NITEMS) {
			size_t j;

			assert_true(ix.nbuckets >= ix.count);
			assert_int_equal(ix.nbuckets & (ix.nbuckets - 1), 0);
			for (j = 0; j <= i; j++)
				assert_int_equal(chain_count(&ix, &items[j].node), 1);
			assert_int_equal(total_nodes(&ix), i + 1);
		}
	}
	/* Remove every odd one. */
	for (i = 1; i < NITEMS; i += 2) {
		index_remove(&ix, &items[i].node);
		assert_false(items[i].node.linked);
	}
	assert_int_equal(ix.count, NITEMS / 2);
	assert_int_equal(total_nodes(&ix), NITEMS / 2);
	for (i = 0; i < NITEMS; i++)
		assert_int_equal(chain_count(&ix, &items[i].node), i % 2 == 0 ? 1 : 0);
	/* A second remove is a no-op. */
	index_remove(&ix, &items[1].node);
	assert_int_equal(ix.count, NITEMS / 2);
	/* Put them back. */
	for (i = 1; i < NITEMS; i += 2)
		assert_int_equal(index_insert(&ix, &items[i].node), CKR_OK);
	assert_int_equal(ix.count, NITEMS);
	for (i = 0; i < NITEMS; i++)
		assert_int_equal(chain_count(&ix, &items[i].node), 1);
	/* Remove all, in a scattered order. */
	for (i = 0; i < NITEMS; i++)
		index_remove(&ix, &items[(i * 7919) % NITEMS].node);
	assert_int_equal(ix.count, 0);
	assert_int_equal(total_nodes(&ix), 0);
	index_free(&ix);
	assert_null(ix.buckets);
	assert_int_equal(ix.nbuckets, 0);
	free(items);
}

static void test_index_long_chain(void **state)
{
	/* Every node has the same (type, value): one chain holds them all, as
	 * a bucket holds every key of a class. */
	const size_t count = 2000;
	struct item *items = calloc(count, sizeof(*items));
	obj_index ix = { 0 };
	const index_node *p;
	size_t i, seen;

	(void)state;
	assert_non_null(items);
	for (i = 0; i < count; i++) {
		item_init(&items[i], 7, CKA_CLASS);
		assert_int_equal(index_insert(&ix, &items[i].node), CKR_OK);
	}
	/* Middle, head and tail of the chain. */
	index_remove(&ix, &items[count / 2].node);
	index_remove(&ix, &items[count - 1].node); /* the latest: inserted at the head */
	index_remove(&ix, &items[0].node);         /* the first: at the tail */
	index_remove(&ix, &items[count / 2 + 1].node);
	assert_int_equal(ix.count, count - 4);
	for (i = 0; i < count; i++) {
		int removed = i == count / 2 || i == count / 2 + 1 || i == 0 || i == count - 1;

		assert_int_equal(chain_count(&ix, &items[i].node), removed ? 0 : 1);
	}
	seen = 0;
	for (p = index_chain(&ix, items[1].node.hash); p != NULL; p = p->next)
		if (p->type == CKA_CLASS && p->hash == items[1].node.hash)
			seen++;
	assert_int_equal(seen, count - 4);
	/* Remove every other from the middle of what is left. */
	for (i = 2; i < count - 1; i += 2)
		if (i != count / 2)
			index_remove(&ix, &items[i].node);
	for (i = 1; i < count - 1; i++) {
		int present = i % 2 == 1 && i != count / 2 + 1;

		assert_int_equal(chain_count(&ix, &items[i].node), present ? 1 : 0);
	}
	assert_int_equal(total_nodes(&ix), ix.count);
	index_free(&ix);
	free(items);
}

static void test_index_alloc_failure(void **state)
{
	struct item items[300];
	obj_index ix = { 0 };
	size_t i;

	(void)state;
	item_init(&items[0], 0, CKA_ID);
	port_alloc_fail_after(1);
	assert_int_equal(index_insert(&ix, &items[0].node), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_false(items[0].node.linked);
	assert_int_equal(ix.count, 0);
	/* Fill to the first growth, then fail it: nothing is lost. */
	for (i = 0; i < 256; i++) {
		item_init(&items[i], (uint32_t)i, CKA_ID);
		assert_int_equal(index_insert(&ix, &items[i].node), CKR_OK);
	}
	item_init(&items[256], 256, CKA_ID);
	port_alloc_fail_after(1);
	assert_int_equal(index_insert(&ix, &items[256].node), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_false(items[256].node.linked);
	assert_int_equal(ix.count, 256);
	for (i = 0; i < 256; i++)
		assert_int_equal(chain_count(&ix, &items[i].node), 1);
	assert_int_equal(index_insert(&ix, &items[256].node), CKR_OK);
	assert_int_equal(chain_count(&ix, &items[256].node), 1);
	index_free(&ix);
}

/* ---- handles ---- */

static int dummies[16];

static void test_handle_basics(void **state)
{
	handle_table t = { 0 };
	CK_ULONG h1, h2;

	(void)state;
	assert_null(handle_get(&t, 0));
	assert_null(handle_get(&t, 1));
	assert_int_equal(handle_add(&t, &dummies[0], &h1), CKR_OK);
	assert_int_equal(handle_add(&t, &dummies[1], &h2), CKR_OK);
	assert_true(h1 != CK_INVALID_HANDLE);
	assert_true(h2 != CK_INVALID_HANDLE);
	assert_true(h1 != h2);
	assert_ptr_equal(handle_get(&t, h1), &dummies[0]);
	assert_ptr_equal(handle_get(&t, h2), &dummies[1]);
	/* Unknown index, wrong generation, generation 0. */
	assert_null(handle_get(&t, 0));
	assert_null(handle_get(&t, h2 + 1));
	assert_null(handle_get(&t, h1 + ((CK_ULONG)1 << HANDLE_INDEX_BITS)));
	assert_null(handle_get(&t, h1 & HANDLE_INDEX_MAX));
	assert_null(handle_get(&t, HANDLE_INDEX_MAX));
	assert_null(handle_get(&t, ~(CK_ULONG)0));
	handle_release(&t, h1);
	assert_null(handle_get(&t, h1));
	assert_ptr_equal(handle_get(&t, h2), &dummies[1]);
	/* Releasing twice, or a handle that never was, is harmless. */
	handle_release(&t, h1);
	handle_release(&t, 0);
	handle_release(&t, h2 + 5);
	assert_ptr_equal(handle_get(&t, h2), &dummies[1]);
	handle_table_free(&t);
	assert_null(t.slots);
	assert_int_equal(t.count, 0);
}

static void test_handle_double_release_does_not_share_a_slot(void **state)
{
	handle_table t = { 0 };
	CK_ULONG a, b, c;

	(void)state;
	assert_int_equal(handle_add(&t, &dummies[0], &a), CKR_OK);
	handle_release(&t, a);
	handle_release(&t, a);
	assert_int_equal(handle_add(&t, &dummies[1], &b), CKR_OK);
	assert_int_equal(handle_add(&t, &dummies[2], &c), CKR_OK);
	assert_true(b != c);
	assert_ptr_equal(handle_get(&t, b), &dummies[1]);
	assert_ptr_equal(handle_get(&t, c), &dummies[2]);
	assert_null(handle_get(&t, a));
	handle_table_free(&t);
}

static int cmp_ulong(const void *a, const void *b)
{
	CK_ULONG x = *(const CK_ULONG *)a, y = *(const CK_ULONG *)b;

	return x < y ? -1 : x > y;
}

#define CYCLES 100000

static void test_handle_never_reused(void **state)
{
	CK_ULONG *issued = calloc(CYCLES + 8, sizeof(*issued));
	handle_table t = { 0 };
	CK_ULONG keep[8];
	size_t i, n = 0;

	(void)state;
	assert_non_null(issued);
	/* A few long-lived handles alongside the churn. */
	for (i = 0; i < 8; i++) {
		assert_int_equal(handle_add(&t, &dummies[i], &keep[i]), CKR_OK);
		issued[n++] = keep[i];
	}
	for (i = 0; i < CYCLES; i++) {
		CK_ULONG h;

		assert_int_equal(handle_add(&t, &dummies[8 + i % 8], &h), CKR_OK);
		assert_true(h != CK_INVALID_HANDLE);
		assert_ptr_equal(handle_get(&t, h), &dummies[8 + i % 8]);
		issued[n++] = h;
		handle_release(&t, h);
		assert_null(handle_get(&t, h));
		/* The previous one stays dead after its slot is reused. */
		if (i > 0)
			assert_null(handle_get(&t, issued[n - 2]));
	}
	/* Every released handle is dead forever; the kept ones live. */
	for (i = 8; i < n; i++)
		assert_null(handle_get(&t, issued[i]));
	for (i = 0; i < 8; i++)
		assert_ptr_equal(handle_get(&t, keep[i]), &dummies[i]);
	/* No handle was ever issued twice. */
	qsort(issued, n, sizeof(*issued), cmp_ulong);
	for (i = 1; i < n; i++)
		assert_true(issued[i - 1] != issued[i]);
	handle_table_free(&t);
	free(issued);
}

static void test_handle_many_live(void **state)
{
	CK_ULONG *h = calloc(CYCLES, sizeof(*h));
	handle_table t = { 0 };
	size_t i;

	(void)state;
	assert_non_null(h);
	for (i = 0; i < CYCLES; i++)
		assert_int_equal(handle_add(&t, (void *)(uintptr_t)(i * 8 + 8), &h[i]), CKR_OK);
	for (i = 0; i < CYCLES; i++)
		assert_ptr_equal(handle_get(&t, h[i]), (void *)(uintptr_t)(i * 8 + 8));
	/* Release the even ones, add as many again: all distinct from the old. */
	for (i = 0; i < CYCLES; i += 2)
		handle_release(&t, h[i]);
	for (i = 0; i < CYCLES; i += 2) {
		CK_ULONG nh;

		assert_int_equal(handle_add(&t, &dummies[0], &nh), CKR_OK);
		assert_true(nh != h[i]);
		assert_null(handle_get(&t, h[i]));
	}
	for (i = 1; i < CYCLES; i += 2)
		assert_ptr_equal(handle_get(&t, h[i]), (void *)(uintptr_t)(i * 8 + 8));
	handle_table_free(&t);
	free(h);
}

static void test_handle_set(void **state)
{
	handle_table t = { 0 };
	CK_ULONG a, b;

	(void)state;
	assert_int_equal(handle_add(&t, &dummies[0], &a), CKR_OK);
	assert_int_equal(handle_add(&t, &dummies[1], &b), CKR_OK);
	handle_set(&t, a, &dummies[5]);
	assert_ptr_equal(handle_get(&t, a), &dummies[5]);
	assert_ptr_equal(handle_get(&t, b), &dummies[1]);
	/* A released handle cannot be revived by handle_set. */
	handle_release(&t, b);
	handle_set(&t, b, &dummies[6]);
	assert_null(handle_get(&t, b));
	/* Nor can a stale generation reach the slot's new owner. */
	{
		CK_ULONG c;

		assert_int_equal(handle_add(&t, &dummies[2], &c), CKR_OK);
		assert_true((c & HANDLE_INDEX_MAX) == (b & HANDLE_INDEX_MAX)); /* slot reused */
		handle_set(&t, b, &dummies[7]);
		assert_ptr_equal(handle_get(&t, c), &dummies[2]);
	}
	handle_set(&t, 0, &dummies[7]);
	assert_ptr_equal(handle_get(&t, a), &dummies[5]);
	handle_table_free(&t);
}

static void test_handle_generation_wrap_retires_slot(void **state)
{
	const CK_ULONG max_gen = ~(CK_ULONG)0 >> HANDLE_INDEX_BITS;
	handle_table t = { 0 };
	CK_ULONG h, h2;

	(void)state;
	assert_int_equal(handle_add(&t, &dummies[0], &h), CKR_OK);
	assert_int_equal(h & HANDLE_INDEX_MAX, 1);
#if ULONG_MAX > 0xffffffffUL
	/* 64-bit: generations come from one process-wide counter; a slot that
	 * holds the largest generation a handle can carry (the counter wraps
	 * to 1 after it) is retired when released. */
	t.slots[0].generation = max_gen;
	h = (max_gen << HANDLE_INDEX_BITS) | 1;
	assert_ptr_equal(handle_get(&t, h), &dummies[0]);
#else
	handle_release(&t, h);
	/* Age slot 0 to one before the largest generation a handle can hold. */
	t.slots[0].generation = max_gen - 1;
	assert_int_equal(handle_add(&t, &dummies[1], &h), CKR_OK);
	assert_int_equal(h & HANDLE_INDEX_MAX, 1);
	assert_true(h >> HANDLE_INDEX_BITS == max_gen);
	assert_ptr_equal(handle_get(&t, h), &dummies[1]);
#endif
	handle_release(&t, h);
	assert_null(handle_get(&t, h));
	/* The slot is retired: the next handle uses a new one. */
	assert_int_equal(handle_add(&t, &dummies[2], &h2), CKR_OK);
	assert_int_equal(h2 & HANDLE_INDEX_MAX, 2);
	assert_true(h2 != h);
	assert_null(handle_get(&t, h));
	handle_table_free(&t);
}

/* No handle value is issued twice, whichever table issues it (64-bit). */
static void test_handle_values_unique_across_tables(void **state)
{
	handle_table a = { 0 }, b = { 0 };
	CK_ULONG ha[8], hb[8];

	(void)state;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 8; i++) {
			assert_int_equal(handle_add(&a, &dummies[i], &ha[i]), CKR_OK);
			assert_int_equal(handle_add(&b, &dummies[i], &hb[i]), CKR_OK);
		}
		for (int i = 0; i < 8; i++)
			for (int j = 0; j < 8; j++)
				assert_true(ULONG_MAX <= 0xffffffffUL || ha[i] != hb[j]);
		for (int i = 0; i < 8; i++) {
			handle_release(&a, ha[i]);
			handle_release(&b, hb[i]);
		}
	}
	handle_table_free(&a);
	handle_table_free(&b);
}

static void test_handle_alloc_failure(void **state)
{
	CK_ULONG h[65], extra;
	handle_table t = { 0 };
	unsigned long n;
	size_t i;

	(void)state;
	port_alloc_fail_after(1);
	assert_int_equal(handle_add(&t, &dummies[0], &h[0]), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_int_equal(t.count, 0);
	for (i = 0; i < 64; i++)
		assert_int_equal(handle_add(&t, &dummies[i % 16], &h[i]), CKR_OK);
	/* The table is full: growing needs two allocations, fail each. */
	for (n = 1; n <= 2; n++) {
		port_alloc_fail_after(n);
		assert_int_equal(handle_add(&t, &dummies[0], &extra), CKR_HOST_MEMORY);
		port_alloc_fail_after(0);
		for (i = 0; i < 64; i++)
			assert_ptr_equal(handle_get(&t, h[i]), &dummies[i % 16]);
	}
	assert_int_equal(handle_add(&t, &dummies[3], &h[64]), CKR_OK);
	assert_ptr_equal(handle_get(&t, h[64]), &dummies[3]);
	for (i = 0; i < 64; i++) {
		handle_release(&t, h[i]);
		assert_null(handle_get(&t, h[i]));
	}
	handle_table_free(&t);
}

static int teardown(void **state)
{
	(void)state;
	port_alloc_fail_after(0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_index_empty, teardown),
		cmocka_unit_test_teardown(test_index_hash, teardown),
		cmocka_unit_test_teardown(test_index_many, teardown),
		cmocka_unit_test_teardown(test_index_long_chain, teardown),
		cmocka_unit_test_teardown(test_index_alloc_failure, teardown),
		cmocka_unit_test_teardown(test_handle_basics, teardown),
		cmocka_unit_test_teardown(test_handle_double_release_does_not_share_a_slot,
					  teardown),
		cmocka_unit_test_teardown(test_handle_never_reused, teardown),
		cmocka_unit_test_teardown(test_handle_many_live, teardown),
		cmocka_unit_test_teardown(test_handle_set, teardown),
		cmocka_unit_test_teardown(test_handle_generation_wrap_retires_slot, teardown),
		cmocka_unit_test_teardown(test_handle_values_unique_across_tables, teardown),
		cmocka_unit_test_teardown(test_handle_alloc_failure, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
