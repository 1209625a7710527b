/*
 * Persistence: token objects, labels and PINs across C_Finalize/C_Initialize
 * and across processes (the test executable re-runs itself with --child),
 * file modes and encryption at rest. Damaged stores are in test_corrupt.c.
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "harness.h"
#include "keys.h"

#define SECRET_VALUE "SECRETSECRETSECRETSECRETSECRET!!"
#define PRIVATE_DATA "PRIVATEDATA-PRIVATEDATA-PRIVATE!"
#define PUBLIC_DATA "PUBLICDATA-PUBLICDATA-PUBLICDATA"
#define USER_CANARY "pin-canary-9876"
/* The keys test_key_destroyed_elsewhere makes for the child to destroy. */
#define IOTOKEN_HELD_KEYS 2
#define SO_CANARY "so-pin-canary-5432"

/* Child scenarios: plain checks, exit status 0 when all hold. */

static int child_slot(CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8, i;
	CK_TOKEN_INFO ti;

	CHILD_RV(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		CHILD_RV(p11->C_GetTokenInfo(slots[i], &ti), CKR_OK);
		if (h_padded_eq(ti.label, sizeof(ti.label), H_LABEL)) {
			*slot = slots[i];
			return 0;
		}
	}
	fprintf(stderr, "child: no token labelled %s\n", H_LABEL);
	return 1;
}

static int child_count(CK_SESSION_HANDLE s, const char *label, CK_ULONG *count)
{
	CK_ATTRIBUTE a = { CKA_LABEL, (void *)label, strlen(label) };
	CK_OBJECT_HANDLE found[8];

	CHILD_RV(p11->C_FindObjectsInit(s, &a, 1), CKR_OK);
	CHILD_RV(p11->C_FindObjects(s, found, 8, count), CKR_OK);
	CHILD_RV(p11->C_FindObjectsFinal(s), CKR_OK);
	return 0;
}

static int child_add(CK_SESSION_HANDLE s, const char *label, CK_BBOOL priv)
{
	CK_ULONG cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[5] = { { CKA_CLASS, &cls, sizeof(cls) },
			      { CKA_TOKEN, &yes, 1 },
			      { CKA_PRIVATE, &priv, 1 },
			      { CKA_LABEL, (void *)label, strlen(label) },
			      { CKA_VALUE, "made by the child", 17 } };
	CK_OBJECT_HANDLE o;

	CHILD_RV(p11->C_CreateObject(s, t, 5, &o), CKR_OK);
	return 0;
}

/* Sees the parent's token objects and adds two of its own. */
static int scenario_find_and_add(void)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_ULONG n;

	CHILD_RV(p11->C_Initialize(NULL), CKR_OK);
	CHILD_CHECK(child_slot(&slot) == 0);
	CHILD_RV(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
		 CKR_OK);
	CHILD_CHECK(child_count(s, "parent public", &n) == 0 && n == 1);
	CHILD_CHECK(child_count(s, "parent private", &n) == 0 && n == 0);
	CHILD_CHECK(child_count(s, "parent session", &n) == 0 && n == 0);
	CHILD_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4), CKR_OK);
	CHILD_CHECK(child_count(s, "parent private", &n) == 0 && n == 1);
	CHILD_CHECK(child_add(s, "child public", CK_FALSE) == 0);
	CHILD_CHECK(child_add(s, "child private", CK_TRUE) == 0);
	CHILD_RV(p11->C_Finalize(NULL), CKR_OK);
	return 0;
}

/* One failed user login. */
static int scenario_wrong_pin(void)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;

	CHILD_RV(p11->C_Initialize(NULL), CKR_OK);
	CHILD_CHECK(child_slot(&slot) == 0);
	CHILD_RV(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	CHILD_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "0000", 4), CKR_PIN_INCORRECT);
	CHILD_RV(p11->C_Finalize(NULL), CKR_OK);
	return 0;
}

/* The PIN the parent changed to works, the old one not. */
static int scenario_new_pin(void)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_ULONG n;

	CHILD_RV(p11->C_Initialize(NULL), CKR_OK);
	CHILD_CHECK(child_slot(&slot) == 0);
	CHILD_RV(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	CHILD_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4), CKR_PIN_INCORRECT);
	CHILD_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "5678", 4), CKR_OK);
	/* ... and the objects are readable under it; the destroyed one is gone. */
	CHILD_CHECK(child_count(s, "renamed by child", &n) == 0 && n == 1);
	CHILD_CHECK(child_count(s, "parent public", &n) == 0 && n == 0);
	CHILD_RV(p11->C_Finalize(NULL), CKR_OK);
	return 0;
}

/* Changes objects the parent holds handles to. */
static int scenario_rename_and_destroy(void)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE found[4];
	CK_ULONG n;
	CK_ATTRIBUTE child = { CKA_LABEL, "child public", 12 };
	CK_ATTRIBUTE priv = { CKA_LABEL, "parent private", 14 };
	CK_ATTRIBUTE renamed = { CKA_LABEL, "renamed by child", 16 };

	CHILD_RV(p11->C_Initialize(NULL), CKR_OK);
	CHILD_CHECK(child_slot(&slot) == 0);
	CHILD_RV(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
		 CKR_OK);
	CHILD_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4), CKR_OK);
	CHILD_RV(p11->C_FindObjectsInit(s, &child, 1), CKR_OK);
	CHILD_RV(p11->C_FindObjects(s, found, 4, &n), CKR_OK);
	CHILD_RV(p11->C_FindObjectsFinal(s), CKR_OK);
	CHILD_CHECK(n == 1);
	CHILD_RV(p11->C_DestroyObject(s, found[0]), CKR_OK);
	CHILD_RV(p11->C_FindObjectsInit(s, &priv, 1), CKR_OK);
	CHILD_RV(p11->C_FindObjects(s, found, 4, &n), CKR_OK);
	CHILD_RV(p11->C_FindObjectsFinal(s), CKR_OK);
	CHILD_CHECK(n == 1);
	CHILD_RV(p11->C_SetAttributeValue(s, found[0], &renamed, 1), CKR_OK);
	CHILD_RV(p11->C_Finalize(NULL), CKR_OK);
	return 0;
}

/* Destroys the token objects labelled "held by the parent". */
static int scenario_destroy_held(void)
{
	CK_ATTRIBUTE a = { CKA_LABEL, "held by the parent", 18 };
	CK_OBJECT_HANDLE found[4];
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_ULONG n, i;

	CHILD_RV(p11->C_Initialize(NULL), CKR_OK);
	CHILD_CHECK(child_slot(&slot) == 0);
	CHILD_RV(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
		 CKR_OK);
	CHILD_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4), CKR_OK);
	CHILD_RV(p11->C_FindObjectsInit(s, &a, 1), CKR_OK);
	CHILD_RV(p11->C_FindObjects(s, found, 4, &n), CKR_OK);
	CHILD_RV(p11->C_FindObjectsFinal(s), CKR_OK);
	CHILD_CHECK(n == IOTOKEN_HELD_KEYS);
	for (i = 0; i < n; i++)
		CHILD_RV(p11->C_DestroyObject(s, found[i]), CKR_OK);
	CHILD_RV(p11->C_Finalize(NULL), CKR_OK);
	return 0;
}

static const h_scenario scenarios[] = {
	{ "find_and_add", scenario_find_and_add },
	{ "wrong_pin", scenario_wrong_pin },
	{ "new_pin", scenario_new_pin },
	{ "rename_and_destroy", scenario_rename_and_destroy },
	{ "destroy_held", scenario_destroy_held },
	{ NULL, NULL },
};

static void test_persist_restart(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE found[8];
	CK_TOKEN_INFO before, after;
	h_tmpl t;

	(void)state;
	h_token_info(h_slot, &before);
	h_login(s, CKU_USER);
	(void)h_data(s, "public", CK_TRUE, CK_FALSE);
	(void)h_data(s, "private", CK_TRUE, CK_TRUE);
	(void)h_data(s, "session", CK_FALSE, CK_FALSE);
	t_init(&t);
	k_rsa_private(&t, 1);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_str(&t, CKA_LABEL, "rsa");
	t_str(&t, CKA_ID, "\x42");
	(void)h_create(s, &t);
	t_init(&t);
	k_cert(&t);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_str(&t, CKA_LABEL, "cert");
	(void)h_create(s, &t);

	h_reinit();
	h_token_info(h_slot, &after);
	assert_memory_equal(after.label, before.label, sizeof(before.label));
	assert_memory_equal(after.serialNumber, before.serialNumber, sizeof(after.serialNumber));
	assert_flag_set(after.flags, CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED);
	s = h_open(h_slot, 0);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 2);
	assert_int_equal(h_find_label(s, "session", found, 8), 0);
	assert_rv(h_login_pin(s, CKU_USER, "9999"), CKR_PIN_INCORRECT);
	h_login(s, CKU_USER);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 4);
	assert_int_equal(h_find_label(s, "private", found, 8), 1);
	h_assert_attr(s, found[0], CKA_VALUE, "value of private", 16);
	assert_int_equal(h_find_label(s, "rsa", found, 8), 1);
	h_assert_attr(s, found[0], CKA_ID, "\x42", 1);
	h_assert_attr(s, found[0], CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
	assert_true(h_get_bool(s, found[0], CKA_SENSITIVE));
	assert_int_equal(h_find_label(s, "cert", found, 8), 1);
	h_assert_attr(s, found[0], CKA_VALUE, k_cert_der, sizeof(k_cert_der));
	assert_ok(p11->C_Logout(s));
	assert_ok(p11->C_CloseSession(s));
	s = h_open(h_slot, 1);
	h_login(s, CKU_SO);
}

static void test_persist_second_process(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE found[8], pub, priv, child_pub;
	CK_ULONG before;

	(void)state;
	h_login(s, CKU_USER);
	pub = h_data(s, "parent public", CK_TRUE, CK_FALSE);
	(void)h_data(s, "parent private", CK_TRUE, CK_TRUE);
	(void)h_data(s, "parent session", CK_FALSE, CK_FALSE);
	before = h_find(s, NULL, 0, found, 8);
	assert_int_equal(before, 3);

	/* The parent stays initialized and logged in meanwhile. */
	assert_int_equal(h_run_child("find_and_add"), 0);
	assert_int_equal(h_find_label(s, "child public", found, 8), 1);
	h_assert_attr(s, found[0], CKA_VALUE, "made by the child", 17);
	assert_int_equal(h_find_label(s, "child private", found, 8), 1);
	h_assert_attr(s, found[0], CKA_VALUE, "made by the child", 17);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 5);
	assert_int_equal(h_state(s), CKS_RW_USER_FUNCTIONS);

	/* The child destroys one object and renames another; the parent's
	 * next search notices, and its handles follow. */
	assert_int_equal(h_find_label(s, "child public", found, 8), 1);
	child_pub = found[0];
	assert_int_equal(h_find_label(s, "parent private", found, 8), 1);
	priv = found[0];
	assert_int_equal(h_run_child("rename_and_destroy"), 0);
	assert_int_equal(h_find_label(s, "child public", found, 8), 0);
	assert_int_equal(h_find_label(s, "parent private", found, 8), 0);
	assert_int_equal(h_find_label(s, "renamed by child", found, 8), 1);
	assert_true(found[0] == priv);
	h_assert_attr(s, priv, CKA_LABEL, "renamed by child", 16);
	h_assert_attr(s, priv, CKA_VALUE, "value of parent private", 23);
	{
		CK_ATTRIBUTE a = { CKA_LABEL, NULL, 0 };

		assert_rv(p11->C_GetAttributeValue(s, child_pub, &a, 1), CKR_OBJECT_HANDLE_INVALID);
	}
	assert_int_equal(h_find(s, NULL, 0, found, 8), 4);

	/* The other direction: a PIN change and a destroyed object. */
	assert_ok(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)H_USER_PIN, 4, (CK_UTF8CHAR_PTR) "5678", 4));
	assert_ok(p11->C_DestroyObject(s, pub));
	assert_int_equal(h_run_child("new_pin"), 0);
	/* Still fine here. */
	assert_int_equal(h_find(s, NULL, 0, found, 8), 3);
}

/*
 * Keys another process destroys while this one holds their handles: the
 * calls that take a key and also bring the token up to date with the store
 * (C_UnwrapKey, C_DeriveKey) must look the handle up after that, not before:
 * the reload frees the destroyed key (a use after free, which the ASan build
 * reports, before the fix the Frama-C proof of C_UnwrapKey found). Now both
 * say the handle is invalid.
 */
static void test_key_destroyed_elsewhere(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE kek, base, k = 0;
	CK_BYTE wrapped[24] = { 0 };
	h_tmpl t, u;

	(void)state;
	h_login(s, CKU_USER);
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_bool(&t, CKA_UNWRAP, CK_TRUE);
	t_str(&t, CKA_LABEL, "held by the parent");
	kek = h_create(s, &t);
	t_init(&t);
	k_ec_private(&t);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_bool(&t, CKA_DERIVE, CK_TRUE);
	t_str(&t, CKA_LABEL, "held by the parent");
	base = h_create(s, &t);
	assert_int_equal(h_run_child("destroy_held"), 0);

	t_init(&u);
	t_ulong(&u, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&u, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
	t_ulong(&u, CKA_VALUE_LEN, 16);
	{
		CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 };

		assert_rv(p11->C_UnwrapKey(s, &kw, kek, wrapped, sizeof(wrapped), u.a, u.n, &k),
			  CKR_UNWRAPPING_KEY_HANDLE_INVALID);
	}
	{
		CK_ECDH1_DERIVE_PARAMS p = { CKD_NULL, 0, NULL, sizeof(k_ec_point) - 2,
					     (CK_BYTE_PTR)k_ec_point + 2 };
		CK_MECHANISM m = { CKM_ECDH1_DERIVE, &p, sizeof(p) };

		assert_rv(p11->C_DeriveKey(s, &m, base, u.a, u.n, &k), CKR_KEY_HANDLE_INVALID);
	}
	assert_int_equal(k, 0);
}

static void test_failed_login_seen(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);

	(void)state;
	assert_flag_clear(h_token_flags(h_slot), CKF_USER_PIN_COUNT_LOW);
	assert_int_equal(h_run_child("wrong_pin"), 0);
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_COUNT_LOW);
	/* A success here resets it for everyone. */
	h_login(s, CKU_USER);
	assert_flag_clear(h_token_flags(h_slot), CKF_USER_PIN_COUNT_LOW);
	h_reinit();
	assert_flag_clear(h_token_flags(h_slot), CKF_USER_PIN_COUNT_LOW);
}

/* Calls fn for every regular file under dir; returns how many. */
static int walk(const char *dir, void (*fn)(const char *path, const struct stat *st, void *ctx),
		void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	struct stat st;
	int n = 0, r;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		r = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_true(r > 0 && (size_t)r < sizeof(path));
		assert_int_equal(lstat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			if ((st.st_mode & 0777) != 0700)
				fail_msg("%s has mode %o", path, st.st_mode & 0777);
			n += walk(path, fn, ctx);
		} else {
			fn(path, &st, ctx);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void check_mode(const char *path, const struct stat *st, void *ctx)
{
	(void)ctx;
	if (!S_ISREG(st->st_mode))
		fail_msg("%s is not a regular file", path);
	if ((st->st_mode & 0777) != 0600)
		fail_msg("%s has mode %o, expected 600", path, st->st_mode & 0777);
}

static void check_store_modes(void)
{
	struct stat st;

	assert_int_equal(lstat(h_store, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	if ((st.st_mode & 0777) != 0700)
		fail_msg("%s has mode %o, expected 700", h_store, st.st_mode & 0777);
	assert_true(walk(h_store, check_mode, NULL) >= 1);
}

/* Entries of dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void test_store_files(void **state)
{
	CK_SESSION_HANDLE s;
	char db[PATH_MAX];
	struct stat st;
	sqlite3 *sql;
	sqlite3_stmt *st_count;
	mode_t old = umask(0);

	(void)state;
	/* The module sets the modes itself, whatever the umask. */
	h_initialize();
	h_slot = h_init_token(H_LABEL);
	h_init_user_pin(h_slot);
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	(void)h_data(s, "one", CK_TRUE, CK_FALSE);
	(void)h_data(s, "two", CK_TRUE, CK_TRUE);
	(void)h_data(s, "three", CK_TRUE, CK_FALSE);
	(void)h_data(s, "session", CK_FALSE, CK_FALSE);
	umask(old);
	/* While the module has its files open ... */
	check_store_modes();
	h_finalize();
	/* ... and after it closed them. */
	check_store_modes();

	h_token_db(db, sizeof(db), h_slot);
	assert_int_equal(stat(db, &st), 0);
	if (h_store_files()) {
		/* One file per token object, o-<epoch>-<id>, beside the two
		 * copies of the token record. */
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(count_prefixed(db, "o-"), 3);
		assert_int_equal(count_prefixed(db, "token."), 2);
		assert_int_equal(count_prefixed(db, ""), 5);
		return;
	}
	assert_int_equal(sqlite3_open_v2(db, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(sql, "SELECT count(*) FROM object", -1, &st_count, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st_count), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st_count, 0), 3);
	sqlite3_finalize(st_count);
	sqlite3_close(sql);
}

struct needles {
	const char *s[4];
	int found[4];
};

static void search_file(const char *path, const struct stat *st, void *ctx)
{
	struct needles *nd = ctx;
	size_t len = 0;
	unsigned char *buf = h_slurp(path, &len);
	int i;

	(void)st;
	if (buf == NULL)
		fail_msg("cannot read %s", path);
	for (i = 0; i < 4 && nd->s[i] != NULL; i++) {
		if (h_memmem(buf, len, nd->s[i], strlen(nd->s[i])))
			nd->found[i] = 1;
	}
	free(buf);
}

static void check_at_rest(int public_must_show)
{
	struct needles nd = { { SECRET_VALUE, PRIVATE_DATA, USER_CANARY, SO_CANARY }, { 0 } };
	struct needles pub = { { PUBLIC_DATA, NULL, NULL, NULL }, { 0 } };
	int i;

	walk(h_store, search_file, &nd);
	for (i = 0; i < 4; i++) {
		if (nd.found[i])
			fail_msg("\"%s\" stored in the clear", nd.s[i]);
	}
	walk(h_store, search_file, &pub);
	if (public_must_show)
		assert_true(pub.found[0]);
}

static void test_encryption_at_rest(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	h_tmpl t;

	(void)state;
	slot = h_init_token_pin(H_LABEL, SO_CANARY);
	h_init_user_pin_with(slot, SO_CANARY, USER_CANARY);
	s = h_open(slot, 1);
	assert_ok(h_login_pin(s, CKU_USER, USER_CANARY));
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_AES);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_str(&t, CKA_VALUE, SECRET_VALUE);
	(void)h_create(s, &t);
	t_init(&t);
	k_data(&t, "private data");
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_bool(&t, CKA_PRIVATE, CK_TRUE);
	t_str(&t, CKA_VALUE, PRIVATE_DATA);
	(void)h_create(s, &t);
	t_init(&t);
	k_data(&t, "public data");
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_bool(&t, CKA_PRIVATE, CK_FALSE);
	t_str(&t, CKA_VALUE, PUBLIC_DATA);
	(void)h_create(s, &t);
	/* Neither while the module runs ... */
	check_at_rest(0);
	/* ... nor after it closed the store; the public value is there in
	 * the clear, which shows the search works. */
	h_finalize();
	check_at_rest(1);

	/* After PIN changes, neither old nor new PINs show. */
	h_initialize();
	s = h_open(slot, 1);
	assert_ok(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)USER_CANARY, strlen(USER_CANARY),
				(CK_UTF8CHAR_PTR) "pin-canary-1111", 15));
	assert_ok(h_login_pin(s, CKU_SO, SO_CANARY));
	assert_ok(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)SO_CANARY, strlen(SO_CANARY),
				(CK_UTF8CHAR_PTR) "so-pin-canary-2222", 18));
	h_finalize();
	check_at_rest(1);
	{
		struct needles nd = { { "pin-canary-1111", "so-pin-canary-2222", NULL, NULL },
				      { 0 } };

		walk(h_store, search_file, &nd);
		assert_false(nd.found[0]);
		assert_false(nd.found[1]);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_persist_restart, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_persist_second_process, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_failed_login_seen, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_key_destroyed_elsewhere, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_store_files, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_encryption_at_rest, h_setup_init, h_teardown),
	};

	h_child_dispatch(argc, argv, scenarios);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
