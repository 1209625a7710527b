/*
 * Wycheproof vector files in the API tests (test_wycheproof.c,
 * test_wycheproof_more.c): where the vectors are, and small JSON and hex
 * helpers that fail the running cmocka test on a malformed file.
 *
 * The vectors are ../shared/vectors/wycheproof from the repository (found
 * from this file's path) or $IOTOKEN_VECTORS/wycheproof.
 *
 * Include order: <json-c/json.h> must come before harness.h (whose PKCS#11
 * header defines lower-case macros), so files that include this header also
 * include <json-c/json.h> with their system headers.
 */
#ifndef IOTOKEN_TEST_WYCHEPROOF_H
#define IOTOKEN_TEST_WYCHEPROOF_H

#include <json-c/json.h>
#include <limits.h>

#include "harness.h"

/* The folder of the vector files (valid after wy_find_vectors()). */
extern char wy_dir[PATH_MAX];

/* Sets wy_dir, or fails the test naming the places it tried. */
void wy_find_vectors(void);
/* The member key of o, or fails the test. */
json_object *wy_get(json_object *o, const char *key);
/* The string member key of o, or fails the test. */
const char *wy_str(json_object *o, const char *key);
/* Hex of the vectors into a new buffer (at least 1 byte allocated, the
 * caller frees it); its length in *len. */
unsigned char *wy_unhex(const char *hex, CK_ULONG *len);
/* The vector file name of wy_dir, parsed (release with json_object_put);
 * its numberOfTests in *declared. */
json_object *wy_load(const char *name, unsigned long *declared);

#endif
