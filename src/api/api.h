/*
 * Shared by the entry points. Every C_* function begins with api_enter():
 * "initialized, and not a forked child?" before any argument is read, then
 * the module lock. It ends with api_leave().
 */
#ifndef IOTOKEN_API_H
#define IOTOKEN_API_H

#include <stddef.h>
#include <stdint.h>

#include "core/module.h"

#define IOT_EXPORT __attribute__((visibility("default")))

CK_RV api_enter(void) IOT_MUST_CHECK;
void api_leave(void);

/* Enter, resolve the session handle and sync its token with the store. */
CK_RV api_enter_session(CK_SESSION_HANDLE h, session **out) IOT_MUST_CHECK;

/* Token objects need an R/W session, private objects the user. */
CK_RV api_check_access(const session *s, const object *obj) IOT_MUST_CHECK;
/* Stores (token objects) and then publishes a new object: *out its handle. */
CK_RV api_publish(session *s, object *obj, CK_OBJECT_HANDLE *out) IOT_MUST_CHECK;

/* A length no buffer at p can have: longer than any object (PTRDIFF_MAX)
 * or running past the end of the address space. The module reads what the
 * caller says it gave, so these are the lengths it can refuse
 * (CKR_ARGUMENTS_BAD) before reading (tests/api/test_badinput.c). */
static inline int api_impossible_len(const void *p, CK_ULONG n)
{
	return n > (CK_ULONG)PTRDIFF_MAX ||
	       (p != NULL && n > (CK_ULONG)(UINTPTR_MAX - (uintptr_t)p));
}

/* Copies a string into a blank-padded fixed field, as CK_INFO wants. */
void api_pad(CK_UTF8CHAR *dst, size_t n, const char *src);

/* The v2.40 function list (C_GetFunctionList's, version 2.40) and the 3.0
 * one (src/api/v30.c, version 3.0): the two interfaces "PKCS 11" offers. */
extern CK_FUNCTION_LIST api_functions_2_40;

/* C_GetInfo reporting `version` as cryptokiVersion: each function list's
 * C_GetInfo reports that list's version (3.0 section 3.6). */
CK_RV api_get_info(CK_INFO_PTR info, CK_VERSION version) IOT_MUST_CHECK;

/* C_Login, and C_LoginUser with the length of its user name (C_Login: 0). */
CK_RV api_login(CK_SESSION_HANDLE h, CK_USER_TYPE type, const CK_UTF8CHAR *pin, CK_ULONG pinlen,
		CK_ULONG namelen) IOT_MUST_CHECK;

#endif
