/*
 * Object management (PKCS#11 v2.40 section 5.7), part 4: C_FindObjectsInit,
 * C_FindObjects, C_FindObjectsFinal, and which objects a session sees
 * (private objects, session objects of other sessions).
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "keys.h"

#ifndef CKO_NSS_TRUST
#define CKO_NSS_TRUST 0xCE534353UL
#endif

static CK_ULONG find_attr(CK_SESSION_HANDLE s, CK_ATTRIBUTE_TYPE type, const void *p, CK_ULONG len,
			  CK_OBJECT_HANDLE *out, CK_ULONG max)
{
	CK_ATTRIBUTE a = { type, (void *)p, len };

	return h_find(s, &a, 1, out, max);
}

static CK_ULONG find_bool(CK_SESSION_HANDLE s, CK_ATTRIBUTE_TYPE type, CK_BBOOL b,
			  CK_OBJECT_HANDLE *out, CK_ULONG max)
{
	return find_attr(s, type, &b, 1, out, max);
}

static void test_find_all(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE made[5], found[16];
	CK_ULONG n, i;

	(void)state;
	assert_int_equal(h_find(s, NULL, 0, found, 16), 0);
	made[0] = h_data(s, "a", CK_FALSE, CK_FALSE);
	made[1] = h_data(s, "b", CK_TRUE, CK_FALSE);
	h_login(s, CKU_USER);
	made[2] = h_data(s, "c", CK_FALSE, CK_TRUE);
	made[3] = h_data(s, "d", CK_TRUE, CK_TRUE);
	{
		h_tmpl t;

		t_init(&t);
		k_ec_public(&t);
		made[4] = h_create(s, &t);
	}
	n = h_find(s, NULL, 0, found, 16);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++)
		assert_true(h_handle_in(made[i], found, n));
	/* An empty template given as a non-NULL pointer with count 0. */
	{
		CK_ATTRIBUTE dummy = { CKA_LABEL, "a", 1 };

		assert_int_equal(h_find(s, &dummy, 0, found, 16), 5);
	}
}

static void test_find_exact(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE abc, abcd, ab, tok, priv, cert, cert2, found[16];
	CK_ULONG cls;
	h_tmpl t;

	(void)state;
	h_login(s, CKU_USER);
	abc = h_data(s, "abc", CK_FALSE, CK_FALSE);
	abcd = h_data(s, "abcd", CK_FALSE, CK_FALSE);
	ab = h_data(s, "ab", CK_FALSE, CK_FALSE);
	tok = h_data(s, "tok", CK_TRUE, CK_FALSE);
	priv = h_data(s, "priv", CK_FALSE, CK_TRUE);
	t_init(&t);
	k_cert(&t);
	t_bool(&t, CKA_PRIVATE, CK_FALSE);
	t_str(&t, CKA_LABEL, "abc");
	t_str(&t, CKA_ID, "\x01\x02");
	cert = h_create(s, &t);
	t_init(&t);
	k_data(&t, "app");
	t_str(&t, CKA_APPLICATION, "the app");
	(void)h_create(s, &t);
	t_init(&t);
	k_cert(&t);
	t_bool(&t, CKA_PRIVATE, CK_FALSE);
	t_str(&t, CKA_LABEL, "cert 2");
	t_str(&t, CKA_ID, "\x01");
	cert2 = h_create(s, &t);

	assert_int_equal(h_find_label(s, "abc", found, 16), 2);
	assert_true(h_handle_in(abc, found, 2) && h_handle_in(cert, found, 2));
	assert_int_equal(h_find_label(s, "abcd", found, 16), 1);
	assert_true(found[0] == abcd);
	assert_int_equal(h_find_label(s, "ab", found, 16), 1);
	assert_true(found[0] == ab);
	assert_int_equal(h_find_label(s, "a", found, 16), 0);
	assert_int_equal(h_find_label(s, "abcde", found, 16), 0);
	assert_int_equal(h_find_label(s, "ABC", found, 16), 0);

	cls = CKO_CERTIFICATE;
	assert_int_equal(find_attr(s, CKA_CLASS, &cls, sizeof(cls), found, 16), 2);
	assert_true(h_handle_in(cert, found, 2) && h_handle_in(cert2, found, 2));
	cls = CKO_DATA;
	assert_int_equal(find_attr(s, CKA_CLASS, &cls, sizeof(cls), found, 16), 6);
	cls = CKO_PRIVATE_KEY;
	assert_int_equal(find_attr(s, CKA_CLASS, &cls, sizeof(cls), found, 16), 0);

	assert_int_equal(find_attr(s, CKA_ID, "\x01\x02", 2, found, 16), 1);
	assert_true(found[0] == cert);
	assert_int_equal(find_attr(s, CKA_ID, "\x01", 1, found, 16), 1);
	assert_true(found[0] == cert2);
	assert_int_equal(find_attr(s, CKA_APPLICATION, "the app", 7, found, 16), 1);
	assert_int_equal(find_attr(s, CKA_APPLICATION, "the", 3, found, 16), 0);
	assert_int_equal(find_attr(s, CKA_VALUE, "value of abcd", 13, found, 16), 1);
	assert_true(found[0] == abcd);
	assert_int_equal(find_attr(s, CKA_VALUE, "value of ab", 11, found, 16), 1);
	assert_true(found[0] == ab);

	assert_int_equal(find_bool(s, CKA_TOKEN, CK_TRUE, found, 16), 1);
	assert_true(found[0] == tok);
	assert_int_equal(find_bool(s, CKA_TOKEN, CK_FALSE, found, 16), 7);
	assert_int_equal(find_bool(s, CKA_PRIVATE, CK_TRUE, found, 16), 1);
	assert_true(found[0] == priv);

	/* Several attributes: all must match. */
	{
		CK_ULONG data = CKO_DATA;
		CK_ATTRIBUTE two[2] = { { CKA_CLASS, &data, sizeof(data) },
					{ CKA_LABEL, "abc", 3 } };

		assert_int_equal(h_find(s, two, 2, found, 16), 1);
		assert_true(found[0] == abc);
	}
	/* Attributes the objects lack, or that do not exist, match nothing. */
	assert_int_equal(find_attr(s, CKA_MODULUS, k_rsa_modulus, 16, found, 16), 0);
	assert_int_equal(find_attr(s, CKA_VENDOR_DEFINED + 0x1234, "x", 1, found, 16), 0);
	assert_int_equal(find_bool(s, CKA_SENSITIVE, CK_FALSE, found, 16), 0);
	/* Classes NSS looks for (trust objects, CKO_PROFILE): simply nothing. */
	cls = CKO_NSS_TRUST;
	assert_int_equal(find_attr(s, CKA_CLASS, &cls, sizeof(cls), found, 16), 0);
	cls = 9; /* CKO_PROFILE, PKCS#11 3.0 */
	assert_int_equal(find_attr(s, CKA_CLASS, &cls, sizeof(cls), found, 16), 0);
}

static void test_find_incremental(void **state)
{
	enum { MATCH = 10 };
	CK_SESSION_HANDLE s = h_open(h_slot, 1), s2 = h_open(h_slot, 1);
	CK_OBJECT_HANDLE made[MATCH], got[MATCH + 1], other[MATCH + 2], h;
	CK_ULONG n, total = 0, i;
	char label[32];
	int round = 0;

	(void)state;
	for (i = 0; i < MATCH; i++)
		made[i] = h_data(s, "match", (i & 1) ? CK_TRUE : CK_FALSE, CK_FALSE);
	for (i = 0; i < MATCH + 2; i++) {
		snprintf(label, sizeof(label), "other %lu", (unsigned long)i);
		other[i] = h_data(s, label, (i & 1) ? CK_TRUE : CK_FALSE, CK_FALSE);
	}
	assert_ok(p11->C_FindObjectsInit(s, &(CK_ATTRIBUTE){ CKA_LABEL, "match", 5 }, 1));
	for (;;) {
		n = 99;
		h = CK_INVALID_HANDLE;
		assert_ok(p11->C_FindObjects(s, &h, 1, &n));
		if (n == 0)
			break;
		assert_int_equal(n, 1);
		assert_true(h_handle_in(h, made, MATCH));
		assert_false(h_handle_in(h, got, total));
		assert_true(total < MATCH);
		got[total++] = h;
		/* Other work between the calls, in this and another session. */
		h_assert_attr(s, h, CKA_LABEL, "match", 5);
		snprintf(label, sizeof(label), "new %d", round);
		(void)h_data(round & 1 ? s : s2, label, (round & 2) ? CK_TRUE : CK_FALSE, CK_FALSE);
		assert_ok(p11->C_DestroyObject(s2, other[round]));
		round++;
	}
	assert_int_equal(total, MATCH);
	/* Exhausted searches keep returning nothing until C_FindObjectsFinal. */
	assert_ok(p11->C_FindObjects(s, &h, 1, &n));
	assert_int_equal(n, 0);
	assert_ok(p11->C_FindObjectsFinal(s));
	assert_int_equal(h_find_label(s, "match", got, MATCH + 1), MATCH);
}

static void test_find_errors(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1), s2 = h_open(h_slot, 0);
	CK_OBJECT_HANDLE o, found[4];
	CK_ULONG n;
	CK_ATTRIBUTE lab = { CKA_LABEL, "x", 1 };

	(void)state;
	o = h_data(s, "x", CK_FALSE, CK_FALSE);
	assert_rv(p11->C_FindObjects(s, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_rv(p11->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED);
	assert_rv(p11->C_FindObjectsInit(s, NULL, 1), CKR_ARGUMENTS_BAD);

	assert_ok(p11->C_FindObjectsInit(s, &lab, 1));
	assert_rv(p11->C_FindObjectsInit(s, NULL, 0), CKR_OPERATION_ACTIVE);
	assert_rv(p11->C_FindObjects(s, NULL, 4, &n), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_FindObjects(s, found, 4, NULL), CKR_ARGUMENTS_BAD);
	/* Another session has its own search. */
	assert_rv(p11->C_FindObjects(s2, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_ok(p11->C_FindObjectsInit(s2, NULL, 0));
	/* The first search is intact. */
	n = 0;
	assert_ok(p11->C_FindObjects(s, found, 4, &n));
	assert_int_equal(n, 1);
	assert_true(found[0] == o);
	assert_ok(p11->C_FindObjectsFinal(s));
	assert_rv(p11->C_FindObjects(s, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_rv(p11->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED);
	assert_ok(p11->C_FindObjects(s2, found, 4, &n));
	assert_int_equal(n, 1);
	assert_ok(p11->C_FindObjectsFinal(s2));
	/* Closing a session in the middle of a search is fine. */
	assert_ok(p11->C_FindObjectsInit(s2, NULL, 0));
	assert_ok(p11->C_CloseSession(s2));
}

/* 2000 session objects with distinct CKA_ID. Certificates, because data
 * objects have no CKA_ID in v2.40. */
static void test_find_scale(void **state)
{
	enum { COUNT = 2000 };
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE *made = calloc(COUNT, sizeof(*made)), found[4];
	char id[16];
	h_tmpl t;
	int i;

	(void)state;
	assert_non_null(made);
	for (i = 0; i < COUNT; i++) {
		snprintf(id, sizeof(id), "id-%04d", i);
		t_init(&t);
		k_cert(&t);
		t_bool(&t, CKA_PRIVATE, CK_FALSE);
		t_str(&t, CKA_LABEL, "many");
		t_str(&t, CKA_ID, id);
		made[i] = h_create(s, &t);
	}
	assert_int_equal(find_attr(s, CKA_ID, "id-1234", 7, found, 4), 1);
	assert_true(found[0] == made[1234]);
	assert_int_equal(find_attr(s, CKA_ID, "id-0000", 7, found, 4), 1);
	assert_true(found[0] == made[0]);
	assert_int_equal(find_attr(s, CKA_ID, "id-1999", 7, found, 4), 1);
	assert_true(found[0] == made[1999]);
	assert_int_equal(find_attr(s, CKA_ID, "id-2000", 7, found, 4), 0);
	free(made);
}

/* Every object function treats the handle as nonexistent. */
static void check_invisible(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o)
{
	const CK_RV inv = CKR_OBJECT_HANDLE_INVALID;
	unsigned char buf[64];
	CK_ATTRIBUTE get[1] = { { CKA_LABEL, buf, sizeof(buf) } };
	CK_ATTRIBUTE set[1] = { { CKA_LABEL, "leak", 4 } };
	CK_OBJECT_HANDLE c;
	CK_ULONG size;

	assert_rv(p11->C_GetAttributeValue(s, o, get, 1), inv);
	assert_rv(p11->C_SetAttributeValue(s, o, set, 1), inv);
	assert_rv(p11->C_CopyObject(s, o, NULL, 0, &c), inv);
	assert_rv(p11->C_GetObjectSize(s, o, &size), inv);
	assert_rv(p11->C_DestroyObject(s, o), inv);
}

static void test_private_visibility(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE pub, ptok, pses, key, found[8];
	h_tmpl t;

	(void)state;
	pub = h_data(s, "public", CK_TRUE, CK_FALSE);
	h_login(s, CKU_USER);
	ptok = h_data(s, "private", CK_TRUE, CK_TRUE);
	pses = h_data(s, "private", CK_FALSE, CK_TRUE);
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	key = h_create(s, &t);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 4);

	/* Public session. */
	assert_ok(p11->C_Logout(s));
	assert_int_equal(h_find(s, NULL, 0, found, 8), 1);
	assert_true(found[0] == pub);
	assert_int_equal(h_find_label(s, "private", found, 8), 0);
	assert_int_equal(find_bool(s, CKA_PRIVATE, CK_TRUE, found, 8), 0);
	check_invisible(s, ptok);
	check_invisible(s, pses);
	check_invisible(s, key);

	/* SO session. */
	h_login(s, CKU_SO);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 1);
	assert_int_equal(h_find_label(s, "private", found, 8), 0);
	check_invisible(s, ptok);
	check_invisible(s, pses);
	check_invisible(s, key);
	assert_ok(p11->C_Logout(s));

	/* The user sees the token objects again; the private session object
	 * died with the first logout (v2.40 5.6 C_Logout: "all private session
	 * objects from sessions belonging to the application are destroyed"). */
	h_login(s, CKU_USER);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 3);
	assert_int_equal(h_find_label(s, "private", found, 8), 1);
	assert_true(h_get_bool(s, found[0], CKA_TOKEN));
	check_invisible(s, pses);
	assert_ok(p11->C_Logout(s));
	assert_int_equal(h_find(s, NULL, 0, found, 8), 1);

	/* Also after a restart. */
	h_reinit();
	s = h_open(h_slot, 0);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 1);
	h_login(s, CKU_USER);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 3);
}

/* v2.40 5.6 C_Logout: "any of the application's handles to private objects
 * become invalid (even if a user is later logged back into the token, those
 * handles remain invalid)". */
static void test_logout_invalidates_handles(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE ptok, pub, found[4];

	(void)state;
	h_login(s, CKU_USER);
	ptok = h_data(s, "private", CK_TRUE, CK_TRUE);
	pub = h_data(s, "public", CK_TRUE, CK_FALSE);
	assert_ok(p11->C_Logout(s));
	h_login(s, CKU_USER);
	check_invisible(s, ptok);
	/* The object itself is still there, under a new handle. */
	assert_int_equal(h_find_label(s, "private", found, 4), 1);
	assert_true(found[0] != ptok);
	h_assert_attr(s, found[0], CKA_VALUE, "value of private", 16);
	/* Public handles are unaffected. */
	h_assert_attr(s, pub, CKA_LABEL, "public", 6);
}

static void test_private_search_across_logout(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE priv, h;
	CK_ULONG n;

	(void)state;
	h_login(s, CKU_USER);
	priv = h_data(s, "p", CK_TRUE, CK_TRUE);
	/* A search started while logged in returns no private object once the
	 * user has logged out. */
	assert_ok(p11->C_FindObjectsInit(s, NULL, 0));
	assert_ok(p11->C_Logout(s));
	n = 0;
	h = CK_INVALID_HANDLE;
	if (p11->C_FindObjects(s, &h, 1, &n) == CKR_OK && n == 1)
		assert_true(h != priv);
	(void)p11->C_FindObjectsFinal(s);
}

static void test_session_objects(void **state)
{
	CK_SESSION_HANDLE a = h_open(h_slot, 1), b = h_open(h_slot, 0);
	CK_OBJECT_HANDLE sa, ta, sb, found[8];

	(void)state;
	sa = h_data(a, "from a", CK_FALSE, CK_FALSE);
	ta = h_data(a, "token from a", CK_TRUE, CK_FALSE);
	sb = h_data(b, "from b", CK_FALSE, CK_FALSE);
	/* Visible from the other session of this application. */
	assert_int_equal(h_find_label(b, "from a", found, 8), 1);
	assert_true(found[0] == sa);
	h_assert_attr(b, sa, CKA_VALUE, "value of from a", 15);
	assert_int_equal(h_find_label(a, "from b", found, 8), 1);
	assert_int_equal(h_find(a, NULL, 0, found, 8), 3);

	/* Closing a session destroys its session objects only. */
	assert_ok(p11->C_CloseSession(a));
	assert_int_equal(h_find_label(b, "from a", found, 8), 0);
	check_invisible(b, sa);
	assert_int_equal(h_find_label(b, "token from a", found, 8), 1);
	assert_true(found[0] == ta);
	h_assert_attr(b, sb, CKA_LABEL, "from b", 6);
	assert_int_equal(h_find(b, NULL, 0, found, 8), 2);

	/* Session objects are gone after C_Finalize; token objects are not. */
	h_reinit();
	b = h_open(h_slot, 0);
	assert_int_equal(h_find(b, NULL, 0, found, 8), 1);
	h_assert_attr(b, found[0], CKA_LABEL, "token from a", 12);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_all, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_find_exact, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_find_incremental, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_find_errors, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_find_scale, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_private_visibility, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_logout_invalidates_handles, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_private_search_across_logout, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_session_objects, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
