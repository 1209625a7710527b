/*
 * For the ctgrind runs (tests/ctgrind/ctgrind.c under valgrind): a value
 * computed from a secret but public by definition (a verdict, a length the
 * call returns, a public key) is marked defined, so that valgrind reports
 * only what really depends on the secret. Natively this is a no-op, and it
 * compiles to nothing where valgrind's header is absent (devices).
 */
#ifndef IOTOKEN_CRYPTO_CT_PUBLIC_H
#define IOTOKEN_CRYPTO_CT_PUBLIC_H

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifdef VALGRIND_MAKE_MEM_DEFINED
#define CT_PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define CT_PUBLIC(p, n) ((void)(p), (void)(n))
#endif

#endif
