/*
 * The allocation-failure sweep of test_alloc_sweep.c with OpenSSL's
 * allocations in it (issue 7: "every allocation in a test run can be made to
 * fail in turn"): see the comment at the top of that file.
 */
#define SWEEP_OPENSSL 1
#include "test_alloc_sweep.c"
