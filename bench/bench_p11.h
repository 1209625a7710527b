/*
 * Shared by the PKCS#11 side of the benchmark (bench_p11.c: token setup, keys, signatures,
 * digests, sessions; bench_obj.c: objects, finds, the fresh-process child).
 * Include after "bench.h" and "iotoken/pkcs11.h".
 */
#ifndef IOTOKEN_BENCH_P11_H
#define IOTOKEN_BENCH_P11_H

#define SO_PIN "12345678"
#define USER_PIN "123456"
#define TOKEN_LABEL "iotoken-bench"
#define MAX_POP 1000000

/* DER OID of P-256 (CKA_EC_PARAMS). */
extern const unsigned char p256_oid[10];

struct mod {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s; /* R/W, user logged in */
	CK_OBJECT_HANDLE ec_priv, ec_pub, rsa_priv, rsa_pub;
	unsigned char ec_point[160];
	CK_ULONG ec_point_len;
	long npop; /* population objects created so far */
	int col;
};

const char *col_name(int col);

/* Returns -1 from the calling function when the call fails (and says so). */
#define CK(m, call)                                                                           \
	do {                                                                                  \
		CK_RV rv_ = (m)->f->call;                                                     \
		if (rv_ != CKR_OK) {                                                          \
			fprintf(stderr, "bench: %s: %s: 0x%lx (%s:%d)\n", col_name((m)->col), \
				#call, (unsigned long)rv_, __FILE__, __LINE__);               \
			return -1;                                                            \
		}                                                                             \
	} while (0)

/* The slot whose token is labelled TOKEN_LABEL and initialized (want_init), or the first slot
 * with an uninitialized token (!want_init). */
int find_slot(struct mod *m, int want_init, CK_SLOT_ID *out);

/* Object creation, finds over growing populations, the fresh-process init and RSS rows. */
void bench_objects(struct mod *m, const char *path);

#endif
