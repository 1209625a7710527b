/*
 * Harness of the API tests: loads the built module the way a client does
 * (dlopen + C_GetFunctionList), gives every test a fresh scratch store and
 * offers the steps most tests share (initialize, init token and PINs, open
 * sessions, log in, create and find objects).
 *
 * The helpers assert with cmocka, so they may only be called from the test's
 * own thread (not from worker threads, not from a forked child).
 *
 * Include order: system headers, then this header. <p11-kit/pkcs11.h> defines
 * lower-case macros (value, count, parameter, reserved, ...), so test code
 * does not use those words as identifiers of its own.
 */
#ifndef IOTOKEN_TEST_HARNESS_H
#define IOTOKEN_TEST_HARNESS_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "iotoken/pkcs11.h"

/* PKCS#11 3.0 attribute that the v2.40 header lacks. */
#ifndef CKA_UNIQUE_ID
#define CKA_UNIQUE_ID 0x4UL
#endif

#define H_SO_PIN "12345678"
#define H_USER_PIN "1234"
#define H_LABEL "iotoken test token"

/* The module's function list (valid after h_load(), which every setup calls). */
extern CK_FUNCTION_LIST_PTR p11;
extern void *h_module;

/* The scratch directory of the running test, its store dir and conf file. */
#define H_DIR_MAX 1024
extern char h_dir[H_DIR_MAX];
extern char h_store[H_DIR_MAX + 16];
extern char h_conf[H_DIR_MAX + 16];

/* The initialized token of h_setup_token(). */
extern CK_SLOT_ID h_slot;

const char *h_rv_name(CK_RV rv);

/* Asserts that call returns expected; the message names both codes. */
#define assert_rv(call, expected)                                                       \
	do {                                                                            \
		CK_RV got_ = (call);                                                    \
		CK_RV want_ = (expected);                                               \
		if (got_ != want_)                                                      \
			fail_msg("%s returned %s, expected %s", #call, h_rv_name(got_), \
				 h_rv_name(want_));                                     \
	} while (0)

#define assert_ok(call) assert_rv(call, CKR_OK)

/* Asserts that call returns one of two accepted codes. */
#define assert_rv2(call, a, b)                                                                \
	do {                                                                                  \
		CK_RV got_ = (call);                                                          \
		if (got_ != (CK_RV)(a) && got_ != (CK_RV)(b))                                 \
			fail_msg("%s returned %s, expected %s or %s", #call, h_rv_name(got_), \
				 h_rv_name(a), h_rv_name(b));                                 \
	} while (0)

#define assert_flag_set(flags, flag)                                                         \
	do {                                                                                 \
		if (((flags) & (flag)) != (flag))                                            \
			fail_msg("flag %s missing in 0x%lx", #flag, (unsigned long)(flags)); \
	} while (0)

#define assert_flag_clear(flags, flag)                                       \
	do {                                                                 \
		if (((flags) & (flag)) != 0)                                 \
			fail_msg("flag %s unexpectedly set in 0x%lx", #flag, \
				 (unsigned long)(flags));                    \
	} while (0)

/* Checks for code that cannot use cmocka (forked children, exec'd scenarios):
 * print what failed and return 1 from the enclosing int function. */
#define CHILD_CHECK(cond)                                                                     \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "child check failed %s:%d: %s\n", __FILE__, __LINE__, \
				#cond);                                                       \
			return 1;                                                             \
		}                                                                             \
	} while (0)

#define CHILD_RV(call, expected)                                                                  \
	do {                                                                                      \
		CK_RV got_ = (call);                                                              \
		if (got_ != (CK_RV)(expected)) {                                                  \
			fprintf(stderr,                                                           \
				"child check failed %s:%d: %s returned %s, "                      \
				"expected %s\n",                                                  \
				__FILE__, __LINE__, #call, h_rv_name(got_), h_rv_name(expected)); \
			return 1;                                                                 \
		}                                                                                 \
	} while (0)

/* Loading and scratch stores. */
void h_load(void);
/* cmocka setups: fresh scratch store (conf written, IOTOKEN_CONF set), then
 * nothing / C_Initialize(NULL) / that plus an initialized token with user PIN
 * (h_slot). */
int h_setup(void **state);
int h_setup_init(void **state);
int h_setup_token(void **state);
/* C_Finalize (result ignored) and removal of the scratch directory. */
int h_teardown(void **state);
/* Rewrites the conf file with the standard lines plus extra (may be NULL). */
void h_write_conf(const char *extra);
/* 1 when the tests run on the files store (IOTOKEN_TEST_STORE=files): the
 * conf file says `store = files`. */
int h_store_files(void);
/* The module is the device profile's host build (IOTOKEN_TEST_DEVICE=1): one
 * slot, no configuration file. Tests that need a second token or a setting
 * of the file call h_skip_on_device(), which makes them cmocka skips there. */
int h_device(void);
void h_skip_on_device(void);
void h_rmtree(const char *path);

/* Module life cycle. */
void h_initialize(void);
void h_finalize(void);
void h_reinit(void);

/* Blank-pads s into dst of n bytes (no terminator). */
void h_pad(CK_UTF8CHAR *dst, size_t n, const char *s);
/* 1 if the n-byte blank-padded field equals s padded. */
int h_padded_eq(const CK_UTF8CHAR *field, size_t n, const char *s);

/* Slots and tokens. */
CK_ULONG h_slots(CK_BBOOL present, CK_SLOT_ID *out, CK_ULONG max);
CK_SLOT_ID h_uninit_slot(void);
void h_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info);
CK_FLAGS h_token_flags(CK_SLOT_ID slot);
/* C_InitToken on the uninitialized slot with H_SO_PIN; returns its id. */
CK_SLOT_ID h_init_token(const char *label);
CK_SLOT_ID h_init_token_pin(const char *label, const char *so_pin);
/* R/W session, SO login with so_pin, C_InitPIN(user_pin), logout, close. */
void h_init_user_pin(CK_SLOT_ID slot);
void h_init_user_pin_with(CK_SLOT_ID slot, const char *so_pin, const char *user_pin);

/* Sessions and login. */
CK_SESSION_HANDLE h_open(CK_SLOT_ID slot, int rw);
CK_RV h_login_pin(CK_SESSION_HANDLE s, CK_USER_TYPE who, const char *pin);
void h_login(CK_SESSION_HANDLE s, CK_USER_TYPE who);
CK_STATE h_state(CK_SESSION_HANDLE s);

/* Templates built on the stack: values are copied into the template. */
#define H_TMPL_MAX 48
typedef struct h_tmpl {
	CK_ATTRIBUTE a[H_TMPL_MAX];
	CK_ULONG n;
	size_t used;
	_Alignas(8) unsigned char buf[8192];
} h_tmpl;

void t_init(h_tmpl *t);
void t_bytes(h_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *p, CK_ULONG len);
void t_bool(h_tmpl *t, CK_ATTRIBUTE_TYPE type, CK_BBOOL b);
void t_ulong(h_tmpl *t, CK_ATTRIBUTE_TYPE type, CK_ULONG v);
void t_str(h_tmpl *t, CK_ATTRIBUTE_TYPE type, const char *s);
/* Adds an entry whose pValue is p itself (not copied; may be NULL). */
void t_raw(h_tmpl *t, CK_ATTRIBUTE_TYPE type, void *p, CK_ULONG len);
/* dst = src without the entries of this type. */
void t_without(h_tmpl *dst, const h_tmpl *src, CK_ATTRIBUTE_TYPE type);

/* Objects. */
CK_RV h_create_rv(CK_SESSION_HANDLE s, h_tmpl *t, CK_OBJECT_HANDLE *obj);
CK_OBJECT_HANDLE h_create(CK_SESSION_HANDLE s, h_tmpl *t);
/* A data object with this label (and value "value of <label>"). */
CK_OBJECT_HANDLE h_data(CK_SESSION_HANDLE s, const char *label, CK_BBOOL token, CK_BBOOL priv);
CK_BBOOL h_get_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type);
CK_ULONG h_get_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type);
/* Reads a value into buf (max bytes); returns its length. */
CK_ULONG h_get_bytes(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, void *buf,
		     CK_ULONG max);
/* Asserts the object's attribute equals the len bytes at p. */
void h_assert_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, const void *p,
		   CK_ULONG len);
/* Runs a whole search; returns the number found (asserts it is <= max). */
CK_ULONG h_find(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out,
		CK_ULONG max);
CK_ULONG h_find_label(CK_SESSION_HANDLE s, const char *label, CK_OBJECT_HANDLE *out, CK_ULONG max);
int h_handle_in(CK_OBJECT_HANDLE h, const CK_OBJECT_HANDLE *list, CK_ULONG n);

/* Files. */
/* The path of the token of slot: <store>/token-<slot>.sqlite, or the directory
 * <store>/token-<slot>.files on the files store. */
void h_token_db(char *path, size_t n, CK_SLOT_ID slot);
/* Reads a whole file (malloc'd, caller frees); NULL if it cannot be read. */
unsigned char *h_slurp(const char *path, size_t *len);
/* 1 if needle occurs in the len bytes at hay. */
int h_memmem(const void *hay, size_t len, const void *needle, size_t nlen);

/* Re-running the test executable as a second process. */
typedef struct h_scenario {
	const char *name;
	int (*run)(void);
} h_scenario;
/* If argv is "--child <name>", runs that scenario and exits with its result;
 * otherwise returns. Call first in main(). */
void h_child_dispatch(int argc, char **argv, const h_scenario *table);
/* Runs IOTOKEN_TEST_SELF --child name (IOTOKEN_CONF inherited); returns its
 * exit status, or -1 if it did not exit normally. */
int h_run_child(const char *name);
/* Waits for pid; returns its exit status or 128 + signal. */
int h_wait(pid_t pid);

#endif
