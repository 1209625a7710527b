/*
 * Thread stress (SECURITY.md rows 6 and 27, issue 7 "Concurrency"): for a
 * bounded time, workers open sessions, log in, find keys by label, sign with a
 * shared key and with their own, verify every signature, create, find, change
 * and destroy token and session objects; meanwhile one thread destroys and
 * recreates a key two workers sign with, one closes sessions under the others
 * (C_CloseAllSessions and C_CloseSession of another thread's session at random
 * moments), and at the end that thread calls C_Finalize while the others are
 * still calling. Every call must give success or the one error the
 * interference explains, never a crash, a wrong object or a bad signature.
 *
 * Duration: IOTOKEN_STRESS_SECONDS (default 4) of interference, bounded by
 * time so that the TSan build (label threads) runs as long as the normal one.
 *
 * Worker threads must not use cmocka: they record their first failure and
 * the test's thread asserts after joining them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

#define WORKERS 4   /* sign, find, create, destroy, change */
#define B_SIGNERS 2 /* workers 0 and 1 also sign with the key that comes and goes */
#define INNER 6     /* iterations per session */

typedef struct worker {
	pthread_t thread;
	int id;
	unsigned seed;
	CK_SESSION_HANDLE s;
	/* The close counters when s was opened (see closed_legitimately). */
	long opened_started, opened_finished;
	CK_OBJECT_HANDLE own_pub; /* public token object: its handle never changes */
	long rounds, verified, b_signed, b_gone, objects;
	/* The CKA_OBJECT_ID of a token object created but not yet destroyed:
	 * a session closed in between leaves it for the next round. */
	char pending[48];
	char error[320];
} worker;

static worker workers[WORKERS];
static pthread_t destroyer_thread, closer_thread;
static worker destroyer_w, closer_w;
static pthread_barrier_t start;

/* Keys: A is generated and shared by every worker; B is imported (fixed
 * material, so its public key is constant) and destroyed and recreated by
 * the destroyer while workers 0 and 1 sign with it. */
static CK_OBJECT_HANDLE pub_a, pub_b;
static h_tmpl b_tmpl;

/* Interference bookkeeping. Closes of other threads' sessions count as
 * started before the call and finished after it. */
static atomic_long closes_started, closes_finished, close_all_calls, close_one_calls;
static atomic_long b_destroyed, b_created;
static atomic_int stop, finalizing, finalize_rv = -1;
static atomic_ulong sessions[WORKERS + 1]; /* current session of each worker and the destroyer */

enum { GO, RESTART, EXIT };

static void record(worker *w, int line, const char *what, CK_RV rv)
{
	if (w->error[0] == '\0')
		snprintf(w->error, sizeof(w->error), "thread %d line %d: %s gave %s", w->id, line,
			 what, h_rv_name(rv));
}

/* A session of w's can have been closed by another thread only if a close
 * started after w opened it or was running when w opened it. */
static int closed_legitimately(const worker *w)
{
	return atomic_load(&closes_started) != w->opened_started ||
	       w->opened_started != w->opened_finished;
}

/*
 * What w does after a call: GO on CKR_OK or one of the expected codes (the
 * caller looks at rv), RESTART when the session is gone because another
 * thread closed it, EXIT once C_Finalize has begun, or on a failure (recorded).
 */
static int classify(worker *w, CK_RV rv, CK_RV alt1, CK_RV alt2, int line, const char *what)
{
	if (rv == CKR_OK || (alt1 != CKR_OK && rv == alt1) || (alt2 != CKR_OK && rv == alt2))
		return GO;
	if (rv == CKR_CRYPTOKI_NOT_INITIALIZED && atomic_load(&finalizing))
		return EXIT;
	if ((rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED) &&
	    closed_legitimately(w)) {
		w->s = CK_INVALID_HANDLE;
		return RESTART;
	}
	record(w, line, what, rv);
	return EXIT;
}

/* Calls and dispatches; the function needs labels restart and out. */
#define CALL2(w, rv, call, alt1, alt2)                                          \
	do {                                                                    \
		(rv) = (call);                                                  \
		switch (classify((w), (rv), (alt1), (alt2), __LINE__, #call)) { \
		case RESTART:                                                   \
			goto restart;                                           \
		case EXIT:                                                      \
			goto out;                                               \
		default:                                                        \
			break;                                                  \
		}                                                               \
	} while (0)
#define CALL(w, rv, call) CALL2(w, rv, call, CKR_OK, CKR_OK)

#define W_CHECK(w, cond, ...)                                                          \
	do {                                                                           \
		if (!(cond)) {                                                         \
			if ((w)->error[0] == '\0')                                     \
				snprintf((w)->error, sizeof((w)->error), __VA_ARGS__); \
			goto out;                                                      \
		}                                                                      \
	} while (0)

static void pause_us(worker *w, unsigned max_us)
{
	struct timespec ts = { 0, (long)(rand_r(&w->seed) % (max_us + 1)) * 1000L };

	nanosleep(&ts, NULL);
}

/* Opens a session for w, remembering the close counters first. */
static CK_RV open_session(worker *w, int slot_index)
{
	CK_RV rv;

	w->opened_finished = atomic_load(&closes_finished);
	w->opened_started = atomic_load(&closes_started);
	rv = p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &w->s);
	if (rv == CKR_OK)
		atomic_store(&sessions[slot_index], w->s);
	return rv;
}

/* One search by one attribute: C_FindObjectsInit, C_FindObjects, Final. */
static CK_RV find_by(CK_SESSION_HANDLE s, CK_ATTRIBUTE_TYPE type, const void *v, CK_ULONG len,
		     CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *n)
{
	CK_ATTRIBUTE a = { type, (void *)v, len };
	CK_RV rv, rv2;

	*n = 0;
	rv = p11->C_FindObjectsInit(s, &a, 1);
	if (rv != CKR_OK)
		return rv;
	rv = p11->C_FindObjects(s, out, max, n);
	rv2 = p11->C_FindObjectsFinal(s);
	return rv != CKR_OK ? rv : rv2;
}

static CK_RV find_label(CK_SESSION_HANDLE s, const char *label, CK_OBJECT_HANDLE *out, CK_ULONG max,
			CK_ULONG *n)
{
	return find_by(s, CKA_LABEL, label, strlen(label), out, max, n);
}

static CK_RV find_priv(CK_SESSION_HANDLE s, const char *label, CK_OBJECT_HANDLE *out, CK_ULONG *n)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE a[2] = { { CKA_LABEL, (void *)label, strlen(label) },
			      { CKA_CLASS, &cls, sizeof(cls) } };
	CK_RV rv, rv2;

	*n = 0;
	rv = p11->C_FindObjectsInit(s, a, 2);
	if (rv != CKR_OK)
		return rv;
	rv = p11->C_FindObjects(s, out, 2, n);
	rv2 = p11->C_FindObjectsFinal(s);
	return rv != CKR_OK ? rv : rv2;
}

static CK_RV create_data(CK_SESSION_HANDLE s, const char *label, CK_BBOOL token,
			 CK_OBJECT_HANDLE *o)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL priv = CK_TRUE;
	CK_ATTRIBUTE t[6] = { { CKA_CLASS, &cls, sizeof(cls) },
			      { CKA_TOKEN, &token, 1 },
			      { CKA_PRIVATE, &priv, 1 },
			      { CKA_LABEL, (void *)label, strlen(label) },
			      { CKA_OBJECT_ID, (void *)label, strlen(label) },
			      { CKA_VALUE, (void *)label, strlen(label) } };

	return p11->C_CreateObject(s, t, 6, o);
}

/*
 * The body of a worker round: a new session, login, the keys found again
 * (private handles change with each login), then INNER iterations of
 * signing, verifying and object work in that session.
 */
static void *worker_main(void *arg)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA_SHA256, NULL, 0 };
	worker *w = arg;
	CK_OBJECT_HANDLE priv_a, own_priv, found[4], so, to, b;
	unsigned char sig[128], msg[48], lab[64], val[64];
	char own_label[16], sl[48], tl[48], tl2[56];
	CK_ULONG n, msglen;
	CK_BBOOL tok;
	CK_RV rv;
	int i;

	snprintf(own_label, sizeof(own_label), "own-%d", w->id);
	pthread_barrier_wait(&start);
	for (;;) {
restart:
		if (w->s != CK_INVALID_HANDLE) {
			CALL(w, rv, p11->C_CloseSession(w->s));
			w->s = CK_INVALID_HANDLE;
		}
		CALL(w, rv, open_session(w, w->id));
		CALL2(w, rv, p11->C_Login(w->s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4),
		      CKR_USER_ALREADY_LOGGED_IN, CKR_OK);
		CALL(w, rv, find_priv(w->s, "shared-a", found, &n));
		W_CHECK(w, n == 1, "thread %d: %lu keys shared-a", w->id, (unsigned long)n);
		priv_a = found[0];
		CALL(w, rv, find_priv(w->s, own_label, found, &n));
		W_CHECK(w, n == 1, "thread %d: %lu keys %s", w->id, (unsigned long)n, own_label);
		own_priv = found[0];
		if (w->pending[0] != '\0') {
			CALL(w, rv,
			     find_by(w->s, CKA_OBJECT_ID, w->pending, strlen(w->pending), found, 4,
				     &n));
			W_CHECK(w, n == 1, "thread %d: left-over %s found %lu times", w->id,
				w->pending, (unsigned long)n);
			CALL(w, rv, p11->C_DestroyObject(w->s, found[0]));
			w->pending[0] = '\0';
		}
		w->rounds++;

		for (i = 0; i < INNER; i++) {
			msglen = (CK_ULONG)snprintf((char *)msg, sizeof(msg), "w%d r%ld i%d", w->id,
						    w->rounds, i);
			/* The shared key, single-part; the signature verifies. */
			CALL(w, rv, p11->C_SignInit(w->s, &ecdsa, priv_a));
			n = sizeof(sig);
			CALL(w, rv, p11->C_Sign(w->s, msg, msglen, sig, &n));
			W_CHECK(w, n == 64, "thread %d: signature of %lu bytes", w->id,
				(unsigned long)n);
			CALL(w, rv, p11->C_VerifyInit(w->s, &ecdsa, pub_a));
			CALL(w, rv, p11->C_Verify(w->s, msg, msglen, sig, n));
			w->verified++;

			/* The key the destroyer takes away: found or not, then
			 * refused, or a good signature. */
			if (w->id < B_SIGNERS) {
				CALL(w, rv, find_priv(w->s, "shared-b", found, &n));
				W_CHECK(w, n <= 1, "thread %d: %lu keys shared-b", w->id,
					(unsigned long)n);
				b = n == 1 ? found[0] : (CK_OBJECT_HANDLE)0x00ffffffUL;
				pause_us(w, 200);
				CALL2(w, rv, p11->C_SignInit(w->s, &ecdsa, b),
				      CKR_KEY_HANDLE_INVALID, CKR_OK);
				if (rv == CKR_OK) {
					CALL(w, rv, p11->C_SignUpdate(w->s, msg, 4));
					pause_us(w, 200);
					CALL(w, rv, p11->C_SignUpdate(w->s, msg + 4, msglen - 4));
					n = sizeof(sig);
					CALL2(w, rv, p11->C_SignFinal(w->s, sig, &n),
					      CKR_KEY_HANDLE_INVALID, CKR_OK);
				}
				if (rv == CKR_OK) {
					CALL(w, rv, p11->C_VerifyInit(w->s, &ecdsa, pub_b));
					CALL(w, rv, p11->C_Verify(w->s, msg, msglen, sig, n));
					w->b_signed++;
				} else {
					w->b_gone++;
				}
			}

			/* The worker's own key. */
			CALL(w, rv, p11->C_SignInit(w->s, &ecdsa, own_priv));
			CALL(w, rv, p11->C_SignUpdate(w->s, msg, msglen));
			n = sizeof(sig);
			CALL(w, rv, p11->C_SignFinal(w->s, sig, &n));
			CALL(w, rv, p11->C_VerifyInit(w->s, &ecdsa, w->own_pub));
			CALL(w, rv, p11->C_Verify(w->s, msg, msglen, sig, n));
			w->verified++;

			/* A session and a token object: found by label and
			 * id, read, renamed, destroyed. */
			snprintf(sl, sizeof(sl), "w%d s%ld-%d", w->id, w->rounds, i);
			snprintf(tl, sizeof(tl), "w%d t%ld-%d", w->id, w->rounds, i);
			snprintf(tl2, sizeof(tl2), "%s renamed", tl);
			CALL(w, rv, create_data(w->s, sl, CK_FALSE, &so));
			CALL(w, rv, create_data(w->s, tl, CK_TRUE, &to));
			snprintf(w->pending, sizeof(w->pending), "%s", tl);
			W_CHECK(w, so != to, "thread %d: two objects, one handle", w->id);
			CALL(w, rv, find_label(w->s, sl, found, 4, &n));
			W_CHECK(w, n == 1 && found[0] == so, "thread %d: %s found %lu times", w->id,
				sl, (unsigned long)n);
			CALL(w, rv, find_by(w->s, CKA_OBJECT_ID, tl, strlen(tl), found, 4, &n));
			W_CHECK(w, n == 1 && found[0] == to, "thread %d: %s found %lu times by id",
				w->id, tl, (unsigned long)n);
			{
				CK_ATTRIBUTE get[3] = { { CKA_LABEL, lab, sizeof(lab) },
							{ CKA_VALUE, val, sizeof(val) },
							{ CKA_TOKEN, &tok, 1 } };
				CK_ATTRIBUTE set = { CKA_LABEL, tl2, strlen(tl2) };

				CALL(w, rv, p11->C_GetAttributeValue(w->s, so, get, 3));
				W_CHECK(w,
					get[0].ulValueLen == strlen(sl) &&
						memcmp(lab, sl, strlen(sl)) == 0 &&
						get[1].ulValueLen == strlen(sl) &&
						memcmp(val, sl, strlen(sl)) == 0 && tok == CK_FALSE,
					"thread %d: %s reads back wrong", w->id, sl);
				CALL(w, rv, p11->C_SetAttributeValue(w->s, to, &set, 1));
				get[0].ulValueLen = sizeof(lab);
				get[1].ulValueLen = sizeof(val);
				CALL(w, rv, p11->C_GetAttributeValue(w->s, to, get, 3));
				W_CHECK(w,
					get[0].ulValueLen == strlen(tl2) &&
						memcmp(lab, tl2, strlen(tl2)) == 0 &&
						get[1].ulValueLen == strlen(tl) &&
						memcmp(val, tl, strlen(tl)) == 0 && tok == CK_TRUE,
					"thread %d: %s reads back wrong", w->id, tl);
			}
			CALL(w, rv, find_label(w->s, tl2, found, 4, &n));
			W_CHECK(w, n == 1 && found[0] == to, "thread %d: %s found %lu times", w->id,
				tl2, (unsigned long)n);
			CALL(w, rv, p11->C_DestroyObject(w->s, to));
			w->pending[0] = '\0';
			CALL(w, rv, p11->C_DestroyObject(w->s, so));
			CALL(w, rv, find_label(w->s, tl2, found, 4, &n));
			W_CHECK(w, n == 0, "thread %d: destroyed %s still found", w->id, tl2);
			w->objects += 2;
		}
	}
out:
	atomic_store(&sessions[w->id], CK_INVALID_HANDLE);
	return NULL;
}

/* Destroys key B and creates it again, as fast as it can with short pauses
 * so that the signers meet every phase. */
static void *destroyer_main(void *arg)
{
	worker *w = arg;
	CK_OBJECT_HANDLE found[2], b;
	CK_ULONG n;
	CK_RV rv;

	pthread_barrier_wait(&start);
	for (;;) {
restart:
		CALL(w, rv, open_session(w, WORKERS));
		CALL2(w, rv, p11->C_Login(w->s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4),
		      CKR_USER_ALREADY_LOGGED_IN, CKR_OK);
		for (;;) {
			/* While this session lives the token stays logged in, so
			 * the search sees B if it exists. */
			CALL(w, rv, find_priv(w->s, "shared-b", found, &n));
			W_CHECK(w, n <= 1, "destroyer: %lu keys shared-b", (unsigned long)n);
			if (n == 1) {
				CALL(w, rv, p11->C_DestroyObject(w->s, found[0]));
				atomic_fetch_add(&b_destroyed, 1);
			}
			pause_us(w, 2000);
			CALL(w, rv, p11->C_CreateObject(w->s, b_tmpl.a, b_tmpl.n, &b));
			atomic_fetch_add(&b_created, 1);
			w->rounds++;
			pause_us(w, 3000);
		}
	}
out:
	atomic_store(&sessions[WORKERS], CK_INVALID_HANDLE);
	return NULL;
}

/* Closes sessions at random moments, then finalizes the module under the
 * others' feet. */
static void *closer_main(void *arg)
{
	worker *w = arg;
	CK_SESSION_HANDLE victim;
	CK_RV rv;

	pthread_barrier_wait(&start);
	while (!atomic_load(&stop)) {
		pause_us(w, 15000);
		atomic_fetch_add(&closes_started, 1);
		if (rand_r(&w->seed) % 3 == 0) {
			/* One session another thread is using, if it has one. */
			victim = atomic_load(&sessions[rand_r(&w->seed) % (WORKERS + 1)]);
			rv = p11->C_CloseSession(victim);
			if (rv != CKR_OK && rv != CKR_SESSION_HANDLE_INVALID)
				record(w, __LINE__, "C_CloseSession", rv);
			atomic_fetch_add(&close_one_calls, 1);
		} else {
			rv = p11->C_CloseAllSessions(h_slot);
			if (rv != CKR_OK)
				record(w, __LINE__, "C_CloseAllSessions", rv);
			atomic_fetch_add(&close_all_calls, 1);
		}
		atomic_fetch_add(&closes_finished, 1);
	}
	/* The others are still calling. */
	atomic_store(&finalizing, 1);
	pause_us(w, 1000);
	atomic_store(&finalize_rv, (int)p11->C_Finalize(NULL));
	return NULL;
}

static int stress_seconds(void)
{
	const char *v = getenv("IOTOKEN_STRESS_SECONDS");
	int n = v != NULL ? atoi(v) : 0;

	return n > 0 ? n : 4;
}

static void add_label(h_tmpl *t, const char *label, CK_BBOOL sign)
{
	t_bool(t, CKA_TOKEN, CK_TRUE);
	t_str(t, CKA_LABEL, label);
	if (sign)
		t_bool(t, CKA_SIGN, CK_TRUE);
	else
		t_bool(t, CKA_VERIFY, CK_TRUE);
}

/* The one object with this label and class (test thread only). */
static CK_OBJECT_HANDLE find_one(CK_SESSION_HANDLE s, const char *label, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE a[2] = { { CKA_LABEL, (void *)label, strlen(label) },
			      { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE found[2];

	assert_int_equal(h_find(s, a, 2, found, 2), 1);
	return found[0];
}

static void test_threads_stress(void **state)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE priv, found[WORKERS * INNER * 2 + 8];
	struct timespec ts = { stress_seconds(), 0 };
	char label[16];
	h_tmpl pt, st;
	CK_ULONG n;
	long verified = 0, b_signed = 0, b_gone = 0, objects = 0;
	int i;

	(void)state;
	/* A module that deadlocks fails here rather than at ctest's timeout. */
	alarm((unsigned)(120 + 10 * stress_seconds()));
	h_login(s, CKU_USER);
	/* Key A and each worker's own pair: generated token keys. */
	for (i = -1; i < WORKERS; i++) {
		if (i < 0)
			snprintf(label, sizeof(label), "shared-a");
		else
			snprintf(label, sizeof(label), "own-%d", i);
		t_init(&pt);
		t_init(&st);
		t_bytes(&pt, CKA_EC_PARAMS, h_curves[0].oid, h_curves[0].oid_len);
		add_label(&pt, label, CK_FALSE);
		add_label(&st, label, CK_TRUE);
		assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &pt, &st,
					i < 0 ? &pub_a : &workers[i].own_pub, &priv));
	}
	/* Key B: fixed material, the private half comes and goes. */
	t_init(&pt);
	k_ec_public(&pt);
	add_label(&pt, "shared-b-pub", CK_FALSE);
	pub_b = h_create(s, &pt);
	t_init(&b_tmpl);
	k_ec_private(&b_tmpl);
	add_label(&b_tmpl, "shared-b", CK_TRUE);
	t_bool(&b_tmpl, CKA_PRIVATE, CK_TRUE);
	(void)h_create(s, &b_tmpl);
	assert_ok(p11->C_CloseSession(s));

	atomic_store(&stop, 0);
	atomic_store(&finalizing, 0);
	assert_int_equal(pthread_barrier_init(&start, NULL, WORKERS + 3), 0);
	for (i = 0; i < WORKERS; i++) {
		CK_OBJECT_HANDLE keep = workers[i].own_pub;

		memset(&workers[i], 0, sizeof(workers[i]));
		workers[i].own_pub = keep;
		workers[i].id = i;
		workers[i].seed = 0x5eed0000u + (unsigned)i;
		assert_int_equal(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]),
				 0);
	}
	memset(&destroyer_w, 0, sizeof(destroyer_w));
	destroyer_w.id = WORKERS;
	destroyer_w.seed = 0xdead;
	memset(&closer_w, 0, sizeof(closer_w));
	closer_w.id = WORKERS + 1;
	closer_w.seed = 0xc105e;
	assert_int_equal(pthread_create(&destroyer_thread, NULL, destroyer_main, &destroyer_w), 0);
	assert_int_equal(pthread_create(&closer_thread, NULL, closer_main, &closer_w), 0);
	pthread_barrier_wait(&start);
	nanosleep(&ts, NULL);
	atomic_store(&stop, 1);
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_join(workers[i].thread, NULL), 0);
	assert_int_equal(pthread_join(destroyer_thread, NULL), 0);
	assert_int_equal(pthread_join(closer_thread, NULL), 0);
	pthread_barrier_destroy(&start);

	for (i = 0; i < WORKERS; i++) {
		if (workers[i].error[0] != '\0')
			fail_msg("%s", workers[i].error);
		verified += workers[i].verified;
		b_signed += workers[i].b_signed;
		b_gone += workers[i].b_gone;
		objects += workers[i].objects;
	}
	if (destroyer_w.error[0] != '\0')
		fail_msg("%s", destroyer_w.error);
	if (closer_w.error[0] != '\0')
		fail_msg("%s", closer_w.error);
	assert_int_equal(atomic_load(&finalize_rv), CKR_OK);
	print_message("stress %ds: %ld rounds, %ld signatures verified, key B: %ld signed, %ld "
		      "gone, %ld destroyed, %ld created; %ld objects; %ld C_CloseAllSessions, %ld "
		      "C_CloseSession\n",
		      stress_seconds(),
		      workers[0].rounds + workers[1].rounds + workers[2].rounds + workers[3].rounds,
		      verified, b_signed, b_gone, atomic_load(&b_destroyed),
		      atomic_load(&b_created), objects, atomic_load(&close_all_calls),
		      atomic_load(&close_one_calls));
	/* Everything happened at least once. */
	for (i = 0; i < WORKERS; i++)
		assert_true(workers[i].verified > 0);
	assert_true(destroyer_w.rounds > 0);
	assert_true(atomic_load(&close_all_calls) > 0);

	/* After C_Finalize: every call refused; then the token is whole. */
	assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	h_initialize();
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	/* Handles from before C_Finalize mean nothing now: find the keys again. */
	assert_int_equal(h_find_label(s, "shared-a", found, 4), 2);
	pub_a = find_one(s, "shared-a", CKO_PUBLIC_KEY);
	pub_b = find_one(s, "shared-b-pub", CKO_PUBLIC_KEY);
	n = h_find_label(s, "shared-b", found, 4);
	assert_true(n <= 1);
	if (n == 1) {
		unsigned char sig[64];

		n = h_sign(s, &ecdsa, found[0], "abc", 3, sig, sizeof(sig));
		assert_ok(h_verify_rv(s, &ecdsa, pub_b, "abc", 3, sig, n));
	}
	for (i = 0; i < WORKERS; i++) {
		snprintf(label, sizeof(label), "own-%d", i);
		assert_int_equal(h_find_label(s, label, found, 4), 2);
	}
	/* At most the one token object each worker had not destroyed yet when
	 * the module went away, and each whole. */
	{
		CK_OBJECT_CLASS cls = CKO_DATA;
		CK_ATTRIBUTE a = { CKA_CLASS, &cls, sizeof(cls) };
		CK_ULONG k;

		n = h_find(s, &a, 1, found, sizeof(found) / sizeof(found[0]));
		assert_true(n <= WORKERS);
		for (k = 0; k < n; k++) {
			char lab[64], val[64];
			CK_ATTRIBUTE get[2] = { { CKA_LABEL, lab, sizeof(lab) },
						{ CKA_VALUE, val, sizeof(val) } };

			assert_ok(p11->C_GetAttributeValue(s, found[k], get, 2));
			assert_true(get[1].ulValueLen > 0 &&
				    get[0].ulValueLen >= get[1].ulValueLen);
			assert_memory_equal(lab, val, get[1].ulValueLen);
		}
	}
	alarm(0);
	/* Key A still signs. */
	(void)h_sign_round_trip(s, CKM_ECDSA_SHA256, pub_a,
				find_one(s, "shared-a", CKO_PRIVATE_KEY));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_stress, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
