/*
 * Force-included (cpp -include) into every translation unit of a Frama-C
 * analysis, before anything else: what the code under proof gets from glibc
 * and GCC but Frama-C 25's libc does not give in a usable form.
 *
 * explicit_bzero: glibc <string.h> with _GNU_SOURCE; Frama-C 25 declares
 * none (src/port/wipe.c calls it). Defined in stubs/libc.c as a byte loop,
 * so every wipe the module makes is checked for validity of all n bytes.
 *
 * <stdatomic.h>: Frama-C's own header parses (it drops _Atomic), but its
 * implementation ($FRAMAC_SHARE/libc/stdatomic.c) computes every atomic
 * operation in unsigned long long, whatever the object's type: a
 * fetch_sub of a signed counter at 0 is then an "unsigned overflow" alarm
 * in Frama-C's code, not in ours. So the header is replaced here: defining
 * its include guard makes the module's #include <stdatomic.h> a no-op, and
 * the generic operations the module uses become plain accesses of the
 * object's own type (GNU statement expressions and __typeof__, which
 * Frama-C accepts), so overflow is checked in the object's real type.
 * The analysis is sequential: atomicity itself is not in question here
 * (that is the job of tests/api/test_threads_stress.c and TSan).
 * Only what src/api and src/core use is defined; anything else fails to
 * compile, which is the signal to add it.
 */
#ifndef VERIFY_FC_EXTRA_H
#define VERIFY_FC_EXTRA_H

#include <stddef.h>

void explicit_bzero(void *p, size_t n);

#define __FC_STDATOMIC 1
#define _Atomic
typedef int atomic_int;
typedef long atomic_long;
typedef unsigned long atomic_ulong;
#define atomic_load(obj) (*(obj))
#define atomic_store(obj, value) ((void)(*(obj) = (value)))
#define atomic_fetch_add(obj, operand)                   \
	__extension__({                                  \
		__typeof__(*(obj)) verify_old_ = *(obj); \
		*(obj) = verify_old_ + (operand);        \
		verify_old_;                             \
	})
#define atomic_fetch_sub(obj, operand)                   \
	__extension__({                                  \
		__typeof__(*(obj)) verify_old_ = *(obj); \
		*(obj) = verify_old_ - (operand);        \
		verify_old_;                             \
	})

#endif
