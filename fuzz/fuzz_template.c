/*
 * Attribute templates from the fuzzer's bytes into C_CreateObject,
 * C_CopyObject, C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal,
 * C_SetAttributeValue, C_GetAttributeValue and C_GetObjectSize, against a
 * token in a scratch directory with the user logged in.
 *
 * Input: a sequence of steps, each an operation byte then its arguments
 * (templates as fuzz_common.c reads them; handles as a byte that picks one
 * of the objects this input made, or a special value).
 *
 * After the steps, the token objects the input left are compared with the
 * same objects reloaded from the store (C_Finalize, C_Initialize, C_Login):
 * every attribute must read back the same. Then every object goes, so the
 * token stays empty between inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#define MAX_MADE 64
#define MAX_STEPS 48
#define MAX_OBJECTS 256

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;

static void open_and_login(void)
{
	fz_expect(
		fz_p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess),
		CKR_OK, "C_OpenSession");
	fz_expect(
		fz_p11->C_Login(sess, CKU_USER, (CK_UTF8CHAR_PTR)FZ_USER_PIN, strlen(FZ_USER_PIN)),
		CKR_OK, "C_Login");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_scratch("fuzz-template");
	slot = fz_token_create();
	open_and_login();
	return 0;
}

typedef struct made {
	CK_OBJECT_HANDLE h[MAX_MADE];
	size_t n;
} made;

static CK_OBJECT_HANDLE pick(fz_in *in, const made *m)
{
	uint8_t b = fz_u8(in);

	if (b < 0xf0 && m->n > 0)
		return m->h[b % m->n];
	switch (b & 3) {
	case 0:
		return CK_INVALID_HANDLE;
	case 1:
		return (CK_OBJECT_HANDLE)-1;
	case 2:
		return m->n > 0 ? m->h[m->n - 1] + 1 : 1;
	default:
		return (CK_OBJECT_HANDLE)fz_u32(in);
	}
}

static void keep(made *m, CK_OBJECT_HANDLE h)
{
	if (m->n < MAX_MADE)
		m->h[m->n++] = h;
	else
		fz_rv_sane(fz_p11->C_DestroyObject(sess, h), "C_DestroyObject");
}

static void step_find(fz_in *in)
{
	fz_tmpl t;
	CK_RV rv;
	int rounds, i;

	fz_tmpl_read(in, &t);
	rv = fz_p11->C_FindObjectsInit(sess, t.ptr, t.count);
	fz_rv_sane(rv, "C_FindObjectsInit");
	fz_tmpl_free(&t);
	if (rv != CKR_OK)
		return;
	rounds = 1 + fz_u8(in) % 4;
	for (i = 0; i < rounds; i++) {
		CK_ULONG max = fz_u8(in) % 9, count = (CK_ULONG)-1;
		CK_OBJECT_HANDLE *buf = max > 0 ? fz_buf(max * sizeof(*buf)) : NULL;

		rv = fz_p11->C_FindObjects(sess, buf, max, &count);
		fz_rv_sane(rv, "C_FindObjects");
		if (rv == CKR_OK && count > max)
			fz_die("C_FindObjects: %lu handles for room of %lu", (unsigned long)count,
			       (unsigned long)max);
		free(buf);
	}
	fz_expect(fz_p11->C_FindObjectsFinal(sess), CKR_OK, "C_FindObjectsFinal");
}

static void step(fz_in *in, made *m)
{
	CK_OBJECT_HANDLE h, nh;
	CK_ULONG size;
	fz_tmpl t;
	CK_RV rv;

	switch (fz_u8(in) % 7) {
	case 0:
		fz_tmpl_read(in, &t);
		nh = CK_INVALID_HANDLE;
		rv = fz_p11->C_CreateObject(sess, t.ptr, t.count, &nh);
		fz_rv_sane(rv, "C_CreateObject");
		fz_tmpl_free(&t);
		if (rv == CKR_OK)
			keep(m, nh);
		break;
	case 1:
		step_find(in);
		break;
	case 2:
		h = pick(in, m);
		fz_tmpl_read(in, &t);
		fz_rv_sane(fz_p11->C_SetAttributeValue(sess, h, t.ptr, t.count),
			   "C_SetAttributeValue");
		fz_tmpl_free(&t);
		break;
	case 3:
		h = pick(in, m);
		fz_tmpl_read_get(in, &t);
		rv = fz_p11->C_GetAttributeValue(sess, h, t.ptr, t.count);
		fz_rv_sane(rv, "C_GetAttributeValue");
		fz_tmpl_check_get(&t, rv);
		fz_tmpl_free(&t);
		break;
	case 4:
		h = pick(in, m);
		fz_tmpl_read(in, &t);
		nh = CK_INVALID_HANDLE;
		rv = fz_p11->C_CopyObject(sess, h, t.ptr, t.count, &nh);
		fz_rv_sane(rv, "C_CopyObject");
		fz_tmpl_free(&t);
		if (rv == CKR_OK)
			keep(m, nh);
		break;
	case 5:
		h = pick(in, m);
		fz_rv_sane(fz_p11->C_DestroyObject(sess, h), "C_DestroyObject");
		break;
	default:
		h = pick(in, m);
		fz_rv_sane(fz_p11->C_GetObjectSize(sess, h, &size), "C_GetObjectSize");
		break;
	}
}

/* Every object the session sees (token objects only with token_only). */
static size_t find_all(int token_only, CK_OBJECT_HANDLE *out, size_t max)
{
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE a = { CKA_TOKEN, &yes, sizeof(yes) };
	CK_ULONG n = 0;

	fz_expect(fz_p11->C_FindObjectsInit(sess, token_only ? &a : NULL, token_only ? 1 : 0),
		  CKR_OK, "C_FindObjectsInit(all)");
	fz_expect(fz_p11->C_FindObjects(sess, out, max, &n), CKR_OK, "C_FindObjects(all)");
	fz_expect(fz_p11->C_FindObjectsFinal(sess), CKR_OK, "C_FindObjectsFinal(all)");
	return n;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* A hash of everything C_GetAttributeValue says about the object. */
static uint64_t fingerprint(CK_OBJECT_HANDLE h)
{
	uint64_t fp = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < fz_attr_types_n; i++) {
		CK_ATTRIBUTE a = { fz_attr_types[i], NULL, 0 };
		CK_RV rv = fz_p11->C_GetAttributeValue(sess, h, &a, 1);

		fz_rv_sane(rv, "C_GetAttributeValue(fingerprint)");
		fp = fnv(fp, &a.type, sizeof(a.type));
		fp = fnv(fp, &rv, sizeof(rv));
		if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
			continue;
		a.pValue = fz_buf(a.ulValueLen);
		fz_expect(fz_p11->C_GetAttributeValue(sess, h, &a, 1), CKR_OK,
			  "C_GetAttributeValue(fingerprint value)");
		fp = fnv(fp, &a.ulValueLen, sizeof(a.ulValueLen));
		fp = fnv(fp, a.pValue, a.ulValueLen);
		free(a.pValue);
	}
	return fp;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t fingerprints(uint64_t *fp)
{
	CK_OBJECT_HANDLE hs[MAX_OBJECTS];
	size_t n = find_all(1, hs, MAX_OBJECTS), i;

	for (i = 0; i < n; i++)
		fp[i] = fingerprint(hs[i]);
	qsort(fp, n, sizeof(fp[0]), cmp_u64);
	return n;
}

/* The token objects read back from the store as they were in memory. */
static void reload_check(void)
{
	static uint64_t before[MAX_OBJECTS], after[MAX_OBJECTS];
	size_t nb = fingerprints(before), na;

	if (nb == 0)
		return;
	fz_expect(fz_p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	fz_expect(fz_p11->C_Initialize(NULL), CKR_OK, "C_Initialize");
	open_and_login();
	na = fingerprints(after);
	if (na != nb || memcmp(before, after, nb * sizeof(before[0])) != 0)
		fz_die("token objects changed across a reload: %zu objects before, %zu after", nb,
		       na);
}

/* Back to an empty token: objects that would not go (CKA_DESTROYABLE
 * false) go with a re-initialization. */
static void clean(const made *m)
{
	CK_OBJECT_HANDLE hs[MAX_OBJECTS];
	CK_UTF8CHAR label[32];
	size_t i, n;

	for (i = 0; i < m->n; i++)
		fz_rv_sane(fz_p11->C_DestroyObject(sess, m->h[i]), "C_DestroyObject");
	n = find_all(0, hs, MAX_OBJECTS);
	for (i = 0; i < n; i++)
		fz_rv_sane(fz_p11->C_DestroyObject(sess, hs[i]), "C_DestroyObject");
	if (find_all(0, hs, MAX_OBJECTS) == 0)
		return;
	fz_expect(fz_p11->C_CloseSession(sess), CKR_OK, "C_CloseSession");
	memset(label, ' ', sizeof(label));
	memcpy(label, FZ_LABEL, strlen(FZ_LABEL));
	fz_expect(fz_p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)FZ_SO_PIN, strlen(FZ_SO_PIN), label),
		  CKR_OK, "C_InitToken(again)");
	fz_expect(
		fz_p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess),
		CKR_OK, "C_OpenSession");
	fz_expect(fz_p11->C_Login(sess, CKU_SO, (CK_UTF8CHAR_PTR)FZ_SO_PIN, strlen(FZ_SO_PIN)),
		  CKR_OK, "C_Login(SO)");
	fz_expect(fz_p11->C_InitPIN(sess, (CK_UTF8CHAR_PTR)FZ_USER_PIN, strlen(FZ_USER_PIN)),
		  CKR_OK, "C_InitPIN");
	fz_expect(fz_p11->C_Logout(sess), CKR_OK, "C_Logout");
	fz_expect(
		fz_p11->C_Login(sess, CKU_USER, (CK_UTF8CHAR_PTR)FZ_USER_PIN, strlen(FZ_USER_PIN)),
		CKR_OK, "C_Login");
	if (find_all(0, hs, MAX_OBJECTS) != 0)
		fz_die("objects left after C_InitToken");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_in in = { data, size };
	made m = { .n = 0 };
	int i;

	for (i = 0; i < MAX_STEPS && in.n > 0; i++)
		step(&in, &m);
	reload_check();
	clean(&m);
	return 0;
}
