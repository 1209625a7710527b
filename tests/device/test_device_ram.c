/*
 * The device profile as firmware runs it, on the host: the token built with
 * the device's limits (small_config.h: 1 slot, 4 sessions, 16 objects, no
 * mutexes), its port given with iotoken_device_setup (a static arena, a
 * file PAL of our own over a table of files, an entropy callback). Checks
 * the limits (a fifth session: CKR_SESSION_COUNT; a seventeenth object:
 * CKR_DEVICE_MEMORY), that everything survives C_Finalize + C_Initialize
 * through the PAL, that a smaller arena fails cleanly with CKR_HOST_MEMORY,
 * and reports the RAM the token needs: the arena's peak, and the heap
 * mbedTLS used (Debian's mbedTLS allocates with calloc; a device's, built
 * with MBEDTLS_PLATFORM_MEMORY, from the same arena).
 *
 * Output: "ram: ..." lines (README, "On a device"). Exit status 0 when
 * every check holds.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "iotoken/defaults.h"
#include "iotoken/device.h"

#define SESSIONS 4
#define OBJECTS 16
#define ARENA_MAX (1u << 20)

static int failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			failures++;                                          \
		}                                                            \
	} while (0)

/* ---- mbedTLS's heap: calloc and free of the whole program, counted ----- */

/* Not under ASan, which owns calloc and free itself. */
#if defined(__SANITIZE_ADDRESS__)
#define HEAP_COUNT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_COUNT 0
#endif
#endif
#ifndef HEAP_COUNT
#define HEAP_COUNT 1
#endif

#if HEAP_COUNT
extern void *__libc_calloc(size_t, size_t);
extern void __libc_free(void *);

static size_t heap_now, heap_peak;
static int heap_counting;

void *calloc(size_t n, size_t size)
{
	void *p = __libc_calloc(n, size);

	if (p != NULL && heap_counting) {
		/* A mark in the block's first bytes is not possible (calloc's
		 * caller owns them); malloc_usable_size of blocks we count is
		 * subtracted at free only while counting, and counting spans
		 * whole token calls, so the numbers pair up. */
		heap_now += malloc_usable_size(p);
		if (heap_now > heap_peak)
			heap_peak = heap_now;
	}
	return p;
}

void free(void *p)
{
	if (p != NULL && heap_counting) {
		size_t n = malloc_usable_size(p);

		heap_now = heap_now > n ? heap_now - n : 0;
	}
	__libc_free(p);
}
#else
#define __libc_calloc calloc
#define __libc_free free
static size_t heap_peak;
static int heap_counting;
#endif

/* ---- A file PAL over a table (what littlefs would be on a device) ------ */

#define FILES_MAX 64

static struct file {
	char name[64];
	uint8_t *data;
	size_t len;
	int used;
} files[FILES_MAX];

static struct file *find(const char *name)
{
	int i;

	for (i = 0; i < FILES_MAX; i++)
		if (files[i].used && strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

static CK_RV pal_read(void *ctx, const char *name, uint8_t **data, size_t *len)
{
	struct file *f = find(name);

	(void)ctx;
	if (f == NULL)
		return CKR_TOKEN_NOT_PRESENT;
	*data = iotoken_port_malloc(f->len > 0 ? f->len : 1);
	if (*data == NULL)
		return CKR_HOST_MEMORY;
	memcpy(*data, f->data, f->len);
	*len = f->len;
	return CKR_OK;
}

static CK_RV pal_write(void *ctx, const char *name, const uint8_t *data, size_t len)
{
	struct file *f = find(name);
	uint8_t *copy;
	int i;

	(void)ctx;
	if (strlen(name) >= sizeof(f->name))
		return CKR_DEVICE_ERROR;
	for (i = 0; f == NULL && i < FILES_MAX; i++)
		if (!files[i].used)
			f = &files[i];
	if (f == NULL)
		return CKR_DEVICE_MEMORY;
	/* The PAL's own memory is the flash's, not the token's: plain
	 * malloc, not counted (heap_counting is off around these). */
	copy = __libc_calloc(1, len > 0 ? len : 1);
	if (copy == NULL)
		return CKR_DEVICE_MEMORY;
	memcpy(copy, data, len);
	if (f->used)
		__libc_free(f->data);
	strcpy(f->name, name);
	f->data = copy;
	f->len = len;
	f->used = 1;
	return CKR_OK;
}

static CK_RV pal_remove(void *ctx, const char *name)
{
	struct file *f = find(name);

	(void)ctx;
	if (f != NULL) {
		__libc_free(f->data);
		memset(f, 0, sizeof(*f));
	}
	return CKR_OK;
}

static CK_RV pal_list(void *ctx, iotoken_pal_name_fn fn, void *arg)
{
	CK_RV rv = CKR_OK;
	int i;

	(void)ctx;
	for (i = 0; rv == CKR_OK && i < FILES_MAX; i++)
		if (files[i].used)
			rv = fn(arg, files[i].name);
	return rv;
}

static void pal_wipe_all(void)
{
	int i;

	for (i = 0; i < FILES_MAX; i++)
		if (files[i].used)
			pal_remove(NULL, files[i].name);
}

static int entropy(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static _Alignas(16) unsigned char arena[ARENA_MAX];

static CK_RV setup(size_t arena_size)
{
	iotoken_device d;

	memset(&d, 0, sizeof(d));
	d.arena = arena;
	d.arena_size = arena_size;
	d.pal.read = pal_read;
	d.pal.write = pal_write;
	d.pal.remove = pal_remove;
	d.pal.list = pal_list;
	d.entropy = entropy;
	return iotoken_device_setup(&d);
}

/* ---- The token's work ------------------------------------------------- */

static CK_FUNCTION_LIST_PTR p11;

static const CK_BYTE p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

static CK_RV keypair(CK_SESSION_HANDLE s, int n, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id = (CK_BYTE)n;
	CK_ATTRIBUTE pub_t[] = {
		{ CKA_EC_PARAMS, (void *)p256_oid, sizeof(p256_oid) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_ID, &id, 1 },
	};
	CK_ATTRIBUTE priv_t[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_ID, &id, 1 },
	};
	CK_OBJECT_HANDLE pub;

	return p11->C_GenerateKeyPair(s, &m, pub_t, 4, priv_t, 5, &pub, priv);
}

static CK_RV sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_BYTE sig[64];
	CK_ULONG len = sizeof(sig);
	CK_RV rv = p11->C_SignInit(s, &m, key);

	if (rv == CKR_OK)
		rv = p11->C_Sign(s, (CK_BYTE_PTR) "device", 6, sig, &len);
	return rv;
}

static CK_RV init_token(void)
{
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE s;
	CK_RV rv;

	memset(label, ' ', sizeof(label));
	memcpy(label, "device", 6);
	rv = p11->C_InitToken(0, (CK_UTF8CHAR_PTR) "12345678", 8, label);
	if (rv == CKR_OK)
		rv = p11->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv == CKR_OK)
		rv = p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR) "12345678", 8);
	if (rv == CKR_OK)
		rv = p11->C_InitPIN(s, (CK_UTF8CHAR_PTR) "1234", 4);
	if (rv == CKR_OK)
		rv = p11->C_CloseSession(s);
	return rv;
}

/* The whole run: the token's work with the device's limits. Returns the
 * first unexpected code (CKR_OK when all went as it should). */
static CK_RV run(int check_limits)
{
	CK_SESSION_HANDLE s[SESSIONS + 1];
	CK_OBJECT_HANDLE keys[OBJECTS / 2];
	CK_ULONG nslots = 0;
	CK_RV rv;
	int i;

	rv = p11->C_Initialize(NULL);
	if (check_limits)
		printf("ram: in use after C_Initialize: %zu bytes\n", iotoken_arena_used());
	if (rv == CKR_OK)
		rv = p11->C_GetSlotList(CK_FALSE, NULL, &nslots);
	if (rv == CKR_OK && check_limits)
		CHECK(nslots == 1, "slots: %lu", nslots);
	if (rv == CKR_OK)
		rv = init_token();
	if (check_limits)
		printf("ram: in use with the token initialized: %zu bytes\n", iotoken_arena_used());
	for (i = 0; rv == CKR_OK && i < SESSIONS; i++)
		rv = p11->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s[i]);
	if (check_limits)
		printf("ram: in use with %d sessions: %zu bytes\n", SESSIONS, iotoken_arena_used());
	if (rv == CKR_OK && check_limits)
		CHECK(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s[SESSIONS]) ==
			      CKR_SESSION_COUNT,
		      "a fifth session");
	if (rv == CKR_OK)
		rv = p11->C_Login(s[0], CKU_USER, (CK_UTF8CHAR_PTR) "1234", 4);
	/* 8 key pairs: 16 objects. */
	for (i = 0; rv == CKR_OK && i < OBJECTS / 2; i++)
		rv = keypair(s[i % SESSIONS], i, &keys[i]);
	if (check_limits)
		printf("ram: in use with %d objects: %zu bytes\n", OBJECTS, iotoken_arena_used());
	if (rv == CKR_OK && check_limits) {
		CK_OBJECT_HANDLE extra;

		CHECK(keypair(s[0], 99, &extra) == CKR_DEVICE_MEMORY, "a seventeenth object");
	}
	for (i = 0; rv == CKR_OK && i < SESSIONS; i++)
		rv = sign(s[i], keys[i]);
	if (check_limits)
		printf("ram: in use after a signature in each session: %zu bytes\n",
		       iotoken_arena_used());
	if (rv == CKR_OK)
		rv = p11->C_Finalize(NULL);
	/* Again, from what the PAL holds. */
	if (rv == CKR_OK)
		rv = p11->C_Initialize(NULL);
	if (rv == CKR_OK)
		rv = p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s[0]);
	if (rv == CKR_OK)
		rv = p11->C_Login(s[0], CKU_USER, (CK_UTF8CHAR_PTR) "1234", 4);
	if (rv == CKR_OK) {
		CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
		CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof(cls) };
		CK_OBJECT_HANDLE found[OBJECTS];
		CK_ULONG n = 0;

		rv = p11->C_FindObjectsInit(s[0], &t, 1);
		if (rv == CKR_OK)
			rv = p11->C_FindObjects(s[0], found, OBJECTS, &n);
		if (rv == CKR_OK)
			rv = p11->C_FindObjectsFinal(s[0]);
		if (rv == CKR_OK && check_limits)
			CHECK(n == OBJECTS / 2, "private keys after a restart: %lu", n);
		for (i = 0; rv == CKR_OK && i < (int)n; i++)
			rv = sign(s[0], found[i]);
	}
	if (rv == CKR_OK)
		rv = p11->C_Finalize(NULL);
	else
		(void)p11->C_Finalize(NULL);
	return rv;
}

int main(void)
{
	size_t peak, size;
	CK_RV rv;

	if (C_GetFunctionList(&p11) != CKR_OK)
		return 1;
	/* Before any port: C_Initialize refuses. */
	CHECK(p11->C_Initialize(NULL) == CKR_GENERAL_ERROR, "C_Initialize without a port");
	CHECK(setup(100) == CKR_ARGUMENTS_BAD, "a too small arena");

	CHECK(setup(ARENA_MAX) == CKR_OK, "setup");
	heap_counting = 1;
	rv = run(1);
	heap_counting = 0;
	CHECK(rv == CKR_OK, "the device run: 0x%lx", rv);
	peak = iotoken_arena_peak();
	printf("ram: limits %d slot, %d sessions, %d objects (P-256 key pairs), "
	       "arena peak %zu bytes, mbedTLS heap peak %zu bytes, arena in use after "
	       "C_Finalize %zu bytes\n",
	       IOT_MAX_SLOTS, IOT_MAX_SESSIONS, IOT_MAX_OBJECTS, peak, heap_peak,
	       iotoken_arena_used());
	CHECK(iotoken_arena_used() == 0, "arena in use after C_Finalize: %zu",
	      iotoken_arena_used());

	/* The peak and a little (the allocator's own 8 bytes and rounding) is
	 * enough; smaller arenas fail cleanly. */
	for (size = peak + 64; size >= peak / 2 && size >= IOTOKEN_DEVICE_MIN_ARENA;
	     size -= peak / 8) {
		pal_wipe_all();
		CHECK(setup(size) == CKR_OK, "setup of %zu bytes", size);
		rv = run(0);
		if (size == peak + 64)
			CHECK(rv == CKR_OK, "an arena of the peak + 64, %zu bytes: 0x%lx", size,
			      rv);
		else
			CHECK(rv == CKR_OK || rv == CKR_HOST_MEMORY || rv == CKR_DEVICE_MEMORY,
			      "an arena of %zu bytes: 0x%lx", size, rv);
		printf("ram: arena of %zu bytes: %s\n", size,
		       rv == CKR_OK            ? "ok"
		       : rv == CKR_HOST_MEMORY ? "CKR_HOST_MEMORY"
					       : "other");
		CHECK(iotoken_arena_used() == 0, "arena in use after a run of %zu: %zu", size,
		      iotoken_arena_used());
	}
	if (failures > 0)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures > 0;
}
