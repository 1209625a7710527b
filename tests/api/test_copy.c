/*
 * Object management (PKCS#11 v2.40 section 5.7), part 2: C_CopyObject,
 * C_DestroyObject, C_GetObjectSize and the life of object handles.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"

static void test_copy(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE o, c, found[4];
	CK_ATTRIBUTE tl[1] = { { CKA_LABEL, "copy", 4 } };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE tt[2] = { { CKA_TOKEN, &yes, 1 }, { CKA_LABEL, "tokcopy", 7 } };
	CK_ATTRIBUTE tp[1] = { { CKA_PRIVATE, &yes, 1 } };
	CK_ATTRIBUTE ts[1] = { { CKA_SENSITIVE, &no, 1 } };
	CK_ATTRIBUTE tx[1] = { { CKA_EXTRACTABLE, &yes, 1 } };
	CK_ATTRIBUTE ts2[1] = { { CKA_SENSITIVE, &yes, 1 } };
	CK_ULONG cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE tc[1] = { { CKA_CLASS, &cls, sizeof(cls) } };
	h_tmpl t;
	unsigned char sv[32];
	CK_RV rv;

	(void)state;
	o = h_data(s, "orig", CK_FALSE, CK_FALSE);
	assert_ok(p11->C_CopyObject(s, o, tl, 1, &c));
	assert_true(c != o);
	h_assert_attr(s, c, CKA_LABEL, "copy", 4);
	h_assert_attr(s, c, CKA_VALUE, "value of orig", 13);
	h_assert_attr(s, o, CKA_LABEL, "orig", 4);
	assert_ok(p11->C_CopyObject(s, o, NULL, 0, &c));
	h_assert_attr(s, c, CKA_LABEL, "orig", 4);
	assert_int_equal(h_find_label(s, "orig", found, 4), 2);

	/* Session object to token object. */
	assert_ok(p11->C_CopyObject(s, o, tt, 2, &c));
	assert_true(h_get_bool(s, c, CKA_TOKEN));
	/* To a private object: only for the user. */
	assert_rv(p11->C_CopyObject(s, o, tp, 1, &c), CKR_USER_NOT_LOGGED_IN);
	h_login(s, CKU_USER);
	assert_ok(p11->C_CopyObject(s, o, tp, 1, &c));
	assert_true(h_get_bool(s, c, CKA_PRIVATE));

	/* The class cannot change. */
	rv = p11->C_CopyObject(s, o, tc, 1, &c);
	if (rv != CKR_ATTRIBUTE_READ_ONLY && rv != CKR_TEMPLATE_INCONSISTENT)
		fail_msg("copy changing the class: %s", h_rv_name(rv));

	/* CKA_COPYABLE = FALSE. */
	t_init(&t);
	k_data(&t, "nocopy");
	t_bool(&t, CKA_COPYABLE, CK_FALSE);
	o = h_create(s, &t);
	assert_rv(p11->C_CopyObject(s, o, NULL, 0, &c), CKR_ACTION_PROHIBITED);
	assert_rv(p11->C_CopyObject(s, o, tl, 1, &c), CKR_ACTION_PROHIBITED);

	/* One-way attributes hold in the copy template. */
	t_init(&t);
	k_secret(&t, CKK_AES, 32);
	o = h_create(s, &t);
	assert_rv(p11->C_CopyObject(s, o, ts, 1, &c), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(p11->C_CopyObject(s, o, tx, 1, &c), CKR_ATTRIBUTE_READ_ONLY);
	t_init(&t);
	k_secret(&t, CKK_AES, 32);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	o = h_create(s, &t);
	assert_ok(p11->C_CopyObject(s, o, NULL, 0, &c));
	k_secret_value(sv, 32);
	h_assert_attr(s, c, CKA_VALUE, sv, 32);
	assert_ok(p11->C_CopyObject(s, o, ts2, 1, &c));
	assert_true(h_get_bool(s, c, CKA_SENSITIVE));
	assert_false(h_get_bool(s, o, CKA_SENSITIVE));

	/* Arguments and handles. */
	assert_rv(p11->C_CopyObject(s, o, NULL, 0, NULL), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_CopyObject(s, o, NULL, 1, &c), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_CopyObject(s, 0, NULL, 0, &c), CKR_OBJECT_HANDLE_INVALID);
	assert_rv(p11->C_CopyObject(s, 0xdeadbeef, NULL, 0, &c), CKR_OBJECT_HANDLE_INVALID);
}

static void test_copy_read_only_session(void **state)
{
	CK_SESSION_HANDLE rw = h_open(h_slot, 1), ro = h_open(h_slot, 0);
	CK_OBJECT_HANDLE tok, c;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE to_token[1] = { { CKA_TOKEN, &yes, 1 } };
	CK_ATTRIBUTE to_session[1] = { { CKA_TOKEN, &no, 1 } };

	(void)state;
	tok = h_data(rw, "token", CK_TRUE, CK_FALSE);
	assert_rv(p11->C_CopyObject(ro, tok, NULL, 0, &c), CKR_SESSION_READ_ONLY);
	assert_rv(p11->C_CopyObject(ro, tok, to_token, 1, &c), CKR_SESSION_READ_ONLY);
	assert_ok(p11->C_CopyObject(ro, tok, to_session, 1, &c));
	assert_false(h_get_bool(ro, c, CKA_TOKEN));
}

/* Every object function refuses the handle. */
static void check_dead_object(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o)
{
	const CK_RV inv = CKR_OBJECT_HANDLE_INVALID;
	CK_OBJECT_HANDLE c;
	CK_ULONG size;
	unsigned char buf[64];
	CK_ATTRIBUTE get[1] = { { CKA_LABEL, buf, sizeof(buf) } };
	CK_ATTRIBUTE set[1] = { { CKA_LABEL, "new", 3 } };

	assert_rv(p11->C_GetAttributeValue(s, o, get, 1), inv);
	assert_rv(p11->C_SetAttributeValue(s, o, set, 1), inv);
	assert_rv(p11->C_CopyObject(s, o, NULL, 0, &c), inv);
	assert_rv(p11->C_GetObjectSize(s, o, &size), inv);
	assert_rv(p11->C_DestroyObject(s, o), inv);
}

static void test_destroy(void **state)
{
	CK_SESSION_HANDLE rw = h_open(h_slot, 1), ro = h_open(h_slot, 0);
	CK_OBJECT_HANDLE o, tok, found[4];
	h_tmpl t;

	(void)state;
	o = h_data(rw, "session", CK_FALSE, CK_FALSE);
	assert_ok(p11->C_DestroyObject(rw, o));
	check_dead_object(rw, o);
	check_dead_object(rw, 0);
	check_dead_object(rw, 0xdeadbeef);
	check_dead_object(rw, ~(CK_OBJECT_HANDLE)0);

	/* Token objects: not from an R/O session. */
	tok = h_data(rw, "token", CK_TRUE, CK_FALSE);
	assert_rv(p11->C_DestroyObject(ro, tok), CKR_SESSION_READ_ONLY);
	assert_int_equal(h_find_label(ro, "token", found, 4), 1);
	/* Session objects may be destroyed from R/O sessions. */
	o = h_data(ro, "ro session", CK_FALSE, CK_FALSE);
	assert_ok(p11->C_DestroyObject(ro, o));
	/* ... also another session's. */
	o = h_data(rw, "rw session", CK_FALSE, CK_FALSE);
	assert_ok(p11->C_DestroyObject(ro, o));
	check_dead_object(rw, o);

	/* CKA_DESTROYABLE = FALSE. */
	t_init(&t);
	k_data(&t, "permanent");
	t_bool(&t, CKA_DESTROYABLE, CK_FALSE);
	o = h_create(rw, &t);
	assert_rv(p11->C_DestroyObject(rw, o), CKR_ACTION_PROHIBITED);
	assert_int_equal(h_find_label(rw, "permanent", found, 4), 1);

	/* Destroying a token object is persistent. */
	assert_ok(p11->C_DestroyObject(rw, tok));
	check_dead_object(rw, tok);
	h_reinit();
	ro = h_open(h_slot, 0);
	assert_int_equal(h_find_label(ro, "token", found, 4), 0);
	check_dead_object(ro, tok);
}

static void test_object_handles_not_reused(void **state)
{
	enum { CYCLES = 1000 };
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE *seen = calloc(CYCLES, sizeof(*seen));
	CK_OBJECT_HANDLE keep, o;
	h_tmpl t;
	int i, j;

	(void)state;
	assert_non_null(seen);
	keep = h_data(s, "keep", CK_FALSE, CK_FALSE);
	for (i = 0; i < CYCLES; i++) {
		t_init(&t);
		k_data(&t, "cycle");
		t_bool(&t, CKA_TOKEN, (i % 10) == 0);
		o = h_create(s, &t);
		if (o == keep)
			fail_msg("cycle %d: handle of a live object returned", i);
		for (j = 0; j < i; j++) {
			if (seen[j] == o)
				fail_msg("cycle %d: handle %lu of cycle %d reused", i,
					 (unsigned long)o, j);
		}
		seen[i] = o;
		assert_ok(p11->C_DestroyObject(s, o));
	}
	check_dead_object(s, seen[0]);
	check_dead_object(s, seen[CYCLES - 1]);
	free(seen);
	h_assert_attr(s, keep, CKA_LABEL, "keep", 4);
}

static void test_object_size(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE o;
	CK_ULONG size = 0;

	(void)state;
	o = h_data(s, "sized", CK_FALSE, CK_FALSE);
	assert_ok(p11->C_GetObjectSize(s, o, &size));
	assert_true(size > 0 && size != CK_UNAVAILABLE_INFORMATION);
	assert_rv(p11->C_GetObjectSize(s, o, NULL), CKR_ARGUMENTS_BAD);
	o = h_data(s, "token sized", CK_TRUE, CK_FALSE);
	size = 0;
	assert_ok(p11->C_GetObjectSize(s, o, &size));
	assert_true(size > 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_copy_read_only_session, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_destroy, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_object_handles_not_reused, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_object_size, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
