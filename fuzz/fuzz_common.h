/*
 * What the fuzz targets share: a reader of the fuzzer's bytes, a scratch
 * token behind the module's function list (the static library's
 * C_GetFunctionList), attribute templates built from bytes, and the checks
 * that turn a wrong answer into a crash the fuzzer reports.
 *
 * Conventions of the harness (see fuzz/README.md): every buffer handed to
 * the module is a heap block of exactly the length the call claims, so
 * AddressSanitizer sees any access past it; a length is never larger than
 * the buffer behind it (the module may trust it); a NULL pointer may come
 * with any length, and the module must then neither read nor write it.
 */
#ifndef IOTOKEN_FUZZ_COMMON_H
#define IOTOKEN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "iotoken/pkcs11.h"

/* ---- Reading the input ---- */

typedef struct fz_in {
	const uint8_t *p;
	size_t n;
} fz_in;

/* Each reads little-endian bytes; past the end of the input they read 0. */
uint8_t fz_u8(fz_in *in);
uint16_t fz_u16(fz_in *in);
uint32_t fz_u32(fz_in *in);
uint64_t fz_u64(fz_in *in);
/* Up to want bytes (fewer when the input ends); *got is how many. */
const uint8_t *fz_bytes(fz_in *in, size_t want, size_t *got);

/* A heap copy of exactly n bytes (n may be 0: a block ASan lets nobody
 * touch). */
void *fz_dup(const void *p, size_t n);
/* A new heap block of n bytes filled with a pattern. */
void *fz_buf(size_t n);

/* ---- The module and its token ---- */

#define FZ_SO_PIN "fuzz-so-pin"
#define FZ_USER_PIN "fuzz-user-pin"
#define FZ_LABEL "fuzz"

extern CK_FUNCTION_LIST_PTR fz_p11;
extern char fz_dir[512];   /* scratch directory (removed at exit) */
extern char fz_store[600]; /* its store directory */

/* Prints and aborts: the fuzzer reports it as a crash. */
void fz_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Dies unless rv == want. */
void fz_expect(CK_RV rv, CK_RV want, const char *what);

/* A scratch directory under $TMPDIR (else /tmp) with an iotoken.conf
 * (pbkdf2_iterations = 1000; store = $FUZZ_STORE when set, e.g. files) that
 * IOTOKEN_CONF names; removed at exit.
 * Also gets the function list. */
void fz_scratch(const char *tag);
/* C_Initialize(NULL), then a token on the empty slot with FZ_SO_PIN and
 * the user PIN FZ_USER_PIN; returns its slot. */
CK_SLOT_ID fz_token_create(void);
/* Removes everything in the store directory. */
void fz_store_clear(void);

/* Answers a module must never give to the harness's calls: the token
 * thinks itself inconsistent (CKR_GENERAL_ERROR) or found its own store
 * damaged (CKR_DEVICE_ERROR: the fuzzer never touches the files). With
 * FUZZ_TRACE set in the environment, prints every call and its answer. */
void fz_rv_sane(CK_RV rv, const char *fn);

/* ---- Attribute templates from bytes ---- */

#define FZ_MAX_ATTRS 24

typedef struct fz_tmpl {
	CK_ATTRIBUTE a[FZ_MAX_ATTRS];
	CK_ULONG given[FZ_MAX_ATTRS]; /* lengths as passed (for the get check) */
	CK_ATTRIBUTE_PTR ptr;         /* a, or NULL */
	CK_ULONG count;               /* what the call gets (may exceed n with ptr NULL) */
	CK_ULONG n;                   /* entries of a in use */
} fz_tmpl;

/* A template for C_CreateObject, C_FindObjectsInit, C_SetAttributeValue,
 * C_CopyObject, C_GenerateKeyPair: types and values from the input (known
 * types, raw ones; CK_BBOOL, CK_ULONG, byte strings, odd lengths, NULL
 * values with and without a length, dictionary values). */
void fz_tmpl_read(fz_in *in, fz_tmpl *t);
/* A template for C_GetAttributeValue: types, and NULL or buffers of the
 * lengths the input gives. */
void fz_tmpl_read_get(fz_in *in, fz_tmpl *t);
/* After C_GetAttributeValue: every length is CK_UNAVAILABLE_INFORMATION or
 * a real length, and never more than a given buffer when the call wrote
 * into it. Dies otherwise. */
void fz_tmpl_check_get(const fz_tmpl *t, CK_RV rv);
void fz_tmpl_free(fz_tmpl *t);

/* The attribute types the template reader picks from. */
extern const CK_ATTRIBUTE_TYPE fz_attr_types[];
extern const size_t fz_attr_types_n;

#endif
