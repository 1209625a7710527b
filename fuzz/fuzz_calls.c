/*
 * Arbitrary sequences of PKCS#11 calls with arbitrary arguments against one
 * module instance.
 *
 * Every input starts from the same token: LLVMFuzzerInitialize makes one
 * (SO and user PIN set, an EC P-256 and an RSA 2048 key pair, a public data
 * object), and each input begins with the store restored to those bytes and
 * C_Initialize(NULL); it ends with C_Finalize. So an input replays the same
 * way on its own, and C_InitToken, C_SetPIN or a locked PIN do not carry
 * over to the next one.
 *
 * Input: a sequence of calls, each an operation byte then its arguments.
 * Handles are a byte that picks a handle an earlier call returned (closed
 * and destroyed ones stay in the table: stale handles), or a special value
 * (0, ~0, one past a real handle, 32 bits from the input). Buffers are
 * NULL, or heap blocks of exactly the length passed (0, 1, the length the
 * module last answered, one less, fixed and fuzzed sizes). PINs come from a
 * table (right, wrong, empty, NULL, too short, too long) or the input.
 * Mechanisms are the module's, a few it does not offer, or raw numbers,
 * with fuzzed parameters.
 *
 * Checks beyond the sanitizers: no CKR_GENERAL_ERROR or CKR_DEVICE_ERROR;
 * a call that succeeds never claims more output than the buffer holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"

#define MAX_SESS 8
#define MAX_OBJS 48
#define MAX_SLOTS 8
#define MAX_CALLS 64
#define MAX_OUT 4096
#define MAX_FILES 32

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- The token every input starts from ---- */

/* The store directory as LLVMFuzzerInitialize left it: its directories and
 * files (the SQLite store is one file, the files store a directory of them),
 * by path relative to the store. */
static struct {
	char name[256];
	int dir;
	uint8_t *data;
	size_t len;
} snap[MAX_FILES];
static size_t nsnap;
static CK_SLOT_ID token_slot;

static int snap_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	const char *rel = path + strlen(fz_store) + 1;
	FILE *f;

	(void)sb;
	if (ftw->level == 0 || strstr(rel, "-shm") != NULL)
		return 0;
	if (nsnap == MAX_FILES || strlen(rel) >= sizeof(snap[0].name))
		fz_die("unexpected store contents");
	strcpy(snap[nsnap].name, rel);
	if (flag == FTW_D) {
		snap[nsnap++].dir = 1;
		return 0;
	}
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (snap[nsnap].len = (size_t)ftell(f)) > ((size_t)1 << 30) || fseek(f, 0, SEEK_SET) != 0)
		fz_die("cannot read %s", path);
	snap[nsnap].data = fz_buf(snap[nsnap].len);
	if (fread(snap[nsnap].data, 1, snap[nsnap].len, f) != snap[nsnap].len)
		fz_die("cannot read %s", path);
	fclose(f);
	nsnap++;
	return 0;
}

static void snapshot_take(void)
{
	if (nftw(fz_store, snap_entry, 16, FTW_PHYS) != 0)
		fz_die("cannot walk %s: %s", fz_store, strerror(errno));
}

/* Parents come before their entries in the walk, so in snap. */
static void snapshot_restore(void)
{
	size_t i;

	fz_store_clear();
	for (i = 0; i < nsnap; i++) {
		char path[1024];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", fz_store, snap[i].name);
		if (snap[i].dir) {
			if (mkdir(path, 0700) != 0)
				fz_die("mkdir(%s): %s", path, strerror(errno));
			continue;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, snap[i].data, snap[i].len) != (ssize_t)snap[i].len ||
		    close(fd) != 0)
			fz_die("cannot write %s", path);
	}
}

/* The token's EC public point (CKA_EC_POINT), for ECDH's peer. */
static uint8_t ec_point[80];
static CK_ULONG ec_point_len;

/* Secret keys and an Ed25519 pair (issue 10; only where the build has
 * them: a mechanism it lacks is left out quietly). No key may wrap and
 * decrypt at once, so one AES key encrypts and MACs, another wraps. */
static void make_secret_keys(CK_SESSION_HANDLE s)
{
	static const uint8_t ed_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG len = 32;
	CK_MECHANISM aes = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_MECHANISM gen = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
	CK_MECHANISM ed = { CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE enc[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },       { CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_ENCRYPT, &yes, sizeof(yes) },     { CKA_DECRYPT, &yes, sizeof(yes) },
		{ CKA_SIGN, &yes, sizeof(yes) },        { CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	CK_ATTRIBUTE wrap[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_WRAP, &yes, sizeof(yes) },
		{ CKA_UNWRAP, &yes, sizeof(yes) },
	};
	CK_ATTRIBUTE ed_pub[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_EC_PARAMS, (void *)ed_oid, sizeof(ed_oid) },
	};
	CK_ATTRIBUTE ed_priv[] = { { CKA_TOKEN, &yes, sizeof(yes) } };
	CK_OBJECT_HANDLE h1, h2;

	(void)fz_p11->C_GenerateKey(s, &aes, enc, 7, &h1);
	(void)fz_p11->C_GenerateKey(s, &aes, wrap, 4, &h1);
	(void)fz_p11->C_GenerateKey(s, &gen, enc, 7, &h1);
	(void)fz_p11->C_GenerateKeyPair(s, &ed, ed_pub, 2, ed_priv, 1, &h1, &h2);
}

static void make_keys(CK_SESSION_HANDLE s)
{
	static const uint8_t p256[] = {
		0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
	};
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG bits = 2048;
	CK_OBJECT_CLASS data = CKO_DATA;
	CK_MECHANISM ec = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_MECHANISM rsa = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE ec_pub[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_EC_PARAMS, (void *)p256, sizeof(p256) },
		{ CKA_LABEL, "ec", 2 },
	};
	CK_ATTRIBUTE ec_priv[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_LABEL, "ec", 2 },
		{ CKA_DERIVE, &yes, sizeof(yes) },
	};
	CK_ATTRIBUTE rsa_pub[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
		{ CKA_LABEL, "rsa", 3 },
	};
	CK_ATTRIBUTE rsa_priv[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_LABEL, "rsa", 3 },
	};
	CK_ATTRIBUTE obj[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_LABEL, "data", 4 },
		{ CKA_VALUE, "some data", 9 },
	};
	CK_OBJECT_HANDLE h1, h2;

	CK_ATTRIBUTE point = { CKA_EC_POINT, ec_point, sizeof(ec_point) };

	fz_expect(fz_p11->C_GenerateKeyPair(s, &ec, ec_pub, 3, ec_priv, 3, &h1, &h2), CKR_OK,
		  "C_GenerateKeyPair(EC)");
	fz_expect(fz_p11->C_GetAttributeValue(s, h1, &point, 1), CKR_OK, "CKA_EC_POINT");
	ec_point_len = point.ulValueLen;
	fz_expect(fz_p11->C_GenerateKeyPair(s, &rsa, rsa_pub, 3, rsa_priv, 2, &h1, &h2), CKR_OK,
		  "C_GenerateKeyPair(RSA)");
	fz_expect(fz_p11->C_CreateObject(s, obj, 4, &h1), CKR_OK, "C_CreateObject");
	make_secret_keys(s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	CK_SESSION_HANDLE s;

	(void)argc;
	(void)argv;
	fz_scratch("fuzz-calls");
	token_slot = fz_token_create();
	fz_expect(fz_p11->C_OpenSession(token_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
					&s),
		  CKR_OK, "C_OpenSession");
	fz_expect(fz_p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)FZ_USER_PIN, strlen(FZ_USER_PIN)),
		  CKR_OK, "C_Login");
	make_keys(s);
	fz_expect(fz_p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	snapshot_take();
	return 0;
}

/* ---- What earlier calls returned ---- */

static struct {
	CK_SESSION_HANDLE sess[MAX_SESS];
	size_t nsess;
	CK_OBJECT_HANDLE obj[MAX_OBJS];
	size_t nobj;
	CK_SLOT_ID slot[MAX_SLOTS];
	size_t nslot;
	uint8_t sig[MAX_OUT];
	size_t siglen;
	CK_ULONG last_len; /* the last length the module answered */
} st;

/* Heap blocks of the current call, freed after it. */
static void *owned[32];
static size_t nowned;

static void *own(void *p)
{
	if (nowned == sizeof(owned) / sizeof(owned[0]))
		fz_die("harness: too many blocks in one call");
	owned[nowned++] = p;
	return p;
}

static void free_owned(void)
{
	while (nowned > 0)
		free(owned[--nowned]);
}

static void add_sess(CK_SESSION_HANDLE h)
{
	if (st.nsess < MAX_SESS)
		st.sess[st.nsess++] = h;
	else
		st.sess[h % MAX_SESS] = h;
}

static void add_obj(CK_OBJECT_HANDLE h)
{
	if (st.nobj < MAX_OBJS)
		st.obj[st.nobj++] = h;
	else
		st.obj[h % MAX_OBJS] = h;
}

static CK_ULONG special(fz_in *in, uint8_t b, CK_ULONG last)
{
	switch (b & 3) {
	case 0:
		return 0;
	case 1:
		return (CK_ULONG)-1;
	case 2:
		return last + 1;
	default:
		return (CK_ULONG)fz_u32(in);
	}
}

static CK_SESSION_HANDLE pick_sess(fz_in *in)
{
	uint8_t b = fz_u8(in);

	if (b < 0xf0 && st.nsess > 0)
		return st.sess[b % st.nsess];
	return special(in, b, st.nsess > 0 ? st.sess[st.nsess - 1] : 0);
}

static CK_OBJECT_HANDLE pick_obj(fz_in *in)
{
	uint8_t b = fz_u8(in);

	if (b < 0xf0 && st.nobj > 0)
		return st.obj[b % st.nobj];
	return special(in, b, st.nobj > 0 ? st.obj[st.nobj - 1] : 0);
}

static CK_SLOT_ID pick_slot(fz_in *in)
{
	uint8_t b = fz_u8(in);

	if (b < 0x80)
		return token_slot;
	if (b < 0xf0 && st.nslot > 0)
		return st.slot[b % st.nslot];
	return special(in, b, token_slot);
}

static void pick_pin(fz_in *in, CK_UTF8CHAR_PTR *pin, CK_ULONG *len)
{
	static const char *const pins[] = {
		FZ_USER_PIN, FZ_SO_PIN, "wrong-pin", "1234", "123", ""
	};
	uint8_t b = fz_u8(in);
	const uint8_t *p;
	size_t n;

	switch (b % 10) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
		n = strlen(pins[b % 10]);
		*pin = own(fz_dup(pins[b % 10], n));
		*len = n;
		break;
	case 6:
		*pin = NULL;
		*len = fz_u8(in);
		break;
	case 7:
		/* 255 bytes is the longest PIN, 256 too long. */
		n = 255 + (b >> 7);
		*pin = own(fz_buf(n));
		*len = n;
		break;
	default:
		p = fz_bytes(in, fz_u8(in), &n);
		*pin = own(fz_dup(p, n));
		*len = n;
		break;
	}
}

static const CK_MECHANISM_TYPE mechs[] = {
	CKM_SHA_1,
	CKM_SHA224,
	CKM_SHA256,
	CKM_SHA384,
	CKM_SHA512,
	CKM_EC_KEY_PAIR_GEN,
	CKM_RSA_PKCS_KEY_PAIR_GEN,
	CKM_ECDSA,
	CKM_ECDSA_SHA1,
	CKM_ECDSA_SHA224,
	CKM_ECDSA_SHA256,
	CKM_ECDSA_SHA384,
	CKM_ECDSA_SHA512,
	CKM_RSA_PKCS,
	CKM_SHA1_RSA_PKCS,
	CKM_SHA224_RSA_PKCS,
	CKM_SHA256_RSA_PKCS,
	CKM_SHA384_RSA_PKCS,
	CKM_SHA512_RSA_PKCS,
	CKM_RSA_PKCS_PSS,
	CKM_SHA1_RSA_PKCS_PSS,
	CKM_SHA224_RSA_PKCS_PSS,
	CKM_SHA256_RSA_PKCS_PSS,
	CKM_SHA384_RSA_PKCS_PSS,
	CKM_SHA512_RSA_PKCS_PSS,
	/* issue 10 (host profile) */
	CKM_AES_KEY_GEN,
	CKM_AES_ECB,
	CKM_AES_CBC,
	CKM_AES_CBC_PAD,
	CKM_AES_CTR,
	CKM_AES_GCM,
	CKM_AES_KEY_WRAP,
	CKM_AES_KEY_WRAP_PAD,
	CKM_AES_CMAC,
	CKM_AES_CMAC_GENERAL,
	CKM_GENERIC_SECRET_KEY_GEN,
	CKM_SHA_1_HMAC,
	CKM_SHA256_HMAC,
	CKM_SHA512_HMAC_GENERAL,
	CKM_RSA_PKCS_OAEP,
	CKM_ECDH1_DERIVE,
	CKM_ECDH1_COFACTOR_DERIVE,
	CKM_EC_EDWARDS_KEY_PAIR_GEN,
	CKM_EDDSA,
	/* not offered */
	CKM_RSA_X_509,
	CKM_MD5,
	CKM_AES_CCM,
	CKM_VENDOR_DEFINED,
};
#define NMECHS (sizeof(mechs) / sizeof(mechs[0]))

static CK_MECHANISM_TYPE pick_mech_type(fz_in *in)
{
	uint8_t b = fz_u8(in);

	return b < 0xf0 ? mechs[b % NMECHS] : (CK_MECHANISM_TYPE)fz_u32(in);
}

static const CK_ULONG pss_hashes[] = { CKM_SHA_1,  CKM_SHA224, CKM_SHA256,
				       CKM_SHA384, CKM_SHA512, CKM_MD5 };
static const CK_ULONG mgfs[] = { CKG_MGF1_SHA1,   CKG_MGF1_SHA224, CKG_MGF1_SHA256,
				 CKG_MGF1_SHA384, CKG_MGF1_SHA512, 0 };

/* A length that is mostly the input's own, sometimes huge. */
static CK_ULONG pick_len(fz_in *in, size_t have)
{
	uint8_t b = fz_u8(in);

	return b < 0xf8 ? (CK_ULONG)have : b == 0xff ? (CK_ULONG)-1 : (CK_ULONG)fz_u32(in);
}

/* The structured parameters of issue 10's mechanisms, their fields from
 * the input: CK_GCM_PARAMS, CK_AES_CTR_PARAMS, CK_RSA_PKCS_OAEP_PARAMS,
 * CK_ECDH1_DERIVE_PARAMS (the peer point from the input, or the point of
 * the token's own EC key), CK_MAC_GENERAL_PARAMS, a 16-byte IV. */
static void pick_struct(fz_in *in, uint8_t kind, CK_MECHANISM *m)
{
	const uint8_t *p;
	size_t n;

	switch (kind % 6) {
	case 0: {
		CK_GCM_PARAMS *g = own(fz_buf(sizeof(*g)));

		p = fz_bytes(in, fz_u8(in), &n);
		g->pIv = (fz_u8(in) & 1) ? NULL : own(fz_dup(p, n));
		g->ulIvLen = pick_len(in, n);
		g->ulIvBits = g->ulIvLen * 8;
		p = fz_bytes(in, fz_u8(in), &n);
		g->pAAD = (fz_u8(in) & 1) ? NULL : own(fz_dup(p, n));
		g->ulAADLen = pick_len(in, n);
		g->ulTagBits = fz_u8(in);
		m->pParameter = g;
		m->ulParameterLen = (fz_u8(in) & 3) ? sizeof(*g) : sizeof(*g) - sizeof(CK_ULONG);
		break;
	}
	case 1: {
		CK_AES_CTR_PARAMS *c = own(fz_buf(sizeof(*c)));

		c->ulCounterBits = fz_u8(in);
		p = fz_bytes(in, sizeof(c->cb), &n);
		memcpy(c->cb, p, n);
		m->pParameter = c;
		m->ulParameterLen = sizeof(*c);
		break;
	}
	case 2: {
		CK_RSA_PKCS_OAEP_PARAMS *o = own(fz_buf(sizeof(*o)));

		o->hashAlg = pss_hashes[fz_u8(in) % 6];
		o->mgf = mgfs[fz_u8(in) % 6];
		o->source = fz_u8(in) % 3;
		p = fz_bytes(in, fz_u8(in), &n);
		o->pSourceData = (fz_u8(in) & 1) ? NULL : own(fz_dup(p, n));
		o->ulSourceDataLen = pick_len(in, n);
		m->pParameter = o;
		m->ulParameterLen = sizeof(*o);
		break;
	}
	case 3: {
		CK_ECDH1_DERIVE_PARAMS *e = own(fz_buf(sizeof(*e)));

		e->kdf = fz_u8(in) % 8;
		p = fz_bytes(in, fz_u8(in) % 8, &n);
		e->pSharedData = (fz_u8(in) & 1) ? NULL : own(fz_dup(p, n));
		e->ulSharedDataLen = pick_len(in, n);
		if (fz_u8(in) & 1) {
			e->pPublicData = own(fz_dup(ec_point, ec_point_len));
			e->ulPublicDataLen = ec_point_len;
		} else {
			p = fz_bytes(in, fz_u8(in), &n);
			e->pPublicData = own(fz_dup(p, n));
			e->ulPublicDataLen = pick_len(in, n);
		}
		m->pParameter = e;
		m->ulParameterLen = sizeof(*e);
		break;
	}
	case 4: {
		CK_ULONG *len = own(fz_buf(sizeof(*len)));

		*len = fz_u8(in);
		m->pParameter = len;
		m->ulParameterLen = sizeof(*len);
		break;
	}
	default:
		p = fz_bytes(in, 16, &n);
		m->pParameter = own(fz_dup(p, n));
		m->ulParameterLen = n;
		break;
	}
}

/* A mechanism with a parameter: none, a PSS structure (whole, cut short,
 * or followed by more bytes), raw bytes, NULL with a length, or one of the
 * structures of issue 10. */
static CK_MECHANISM_PTR pick_mech(fz_in *in, CK_MECHANISM *m)
{
	CK_RSA_PKCS_PSS_PARAMS pss;
	uint8_t b;
	const uint8_t *p;
	size_t n;

	m->mechanism = pick_mech_type(in);
	m->pParameter = NULL;
	m->ulParameterLen = 0;
	b = fz_u8(in);
	if (b >= 0xc0) {
		pick_struct(in, b, m);
		return (fz_u8(in) == 0xff) ? NULL : m;
	}
	switch (b % 8) {
	case 0:
	case 1:
		break;
	case 2:
	case 3:
	case 4:
		memset(&pss, 0, sizeof(pss));
		b = fz_u8(in);
		pss.hashAlg = b < 0xf0 ? pss_hashes[b % 6] : fz_u32(in);
		b = fz_u8(in);
		pss.mgf = b < 0xf0 ? mgfs[b % 6] : fz_u32(in);
		b = fz_u8(in);
		pss.sLen = b < 0xf0 ? b : (CK_ULONG)fz_u64(in);
		n = sizeof(pss);
		if ((b = fz_u8(in)) & 1)
			n = (b >> 1) % sizeof(pss); /* cut short */
		else if (b & 2)
			n += b >> 2; /* followed by junk */
		m->pParameter = own(fz_buf(n));
		memcpy(m->pParameter, &pss, n < sizeof(pss) ? n : sizeof(pss));
		m->ulParameterLen = n;
		break;
	case 5:
	case 6:
		p = fz_bytes(in, fz_u8(in), &n);
		m->pParameter = own(fz_dup(p, n));
		m->ulParameterLen = n;
		break;
	default:
		m->ulParameterLen = fz_u8(in) + 1;
		break;
	}
	return (fz_u8(in) == 0xff) ? NULL : m;
}

/* Input data: bytes from the input, a hash-sized block, the last
 * signature, or NULL with or without a length. */
static void pick_data(fz_in *in, CK_BYTE_PTR *p, CK_ULONG *len)
{
	uint8_t b = fz_u8(in);
	const uint8_t *src;
	size_t n;

	switch (b % 8) {
	case 0:
	case 1:
	case 2:
		src = fz_bytes(in, fz_u8(in), &n);
		break;
	case 3:
		src = fz_bytes(in, fz_u16(in) % 2048, &n);
		break;
	case 4:
		*p = own(fz_buf(32 + 32 * (b >> 6)));
		*len = 32 + 32 * (b >> 6);
		return;
	case 5:
		src = st.sig, n = st.siglen;
		if (n > 0 && (b & 0x80))
			st.sig[b % n] ^= 1;
		break;
	case 6:
		*p = NULL;
		*len = 0;
		return;
	default:
		*p = NULL;
		*len = fz_u8(in) + 1;
		return;
	}
	*p = own(fz_dup(src, n));
	*len = n;
}

/* An output buffer: NULL (a size query), or a block of exactly *len
 * bytes; *plen is NULL or len. */
typedef struct out {
	CK_BYTE_PTR p;
	CK_ULONG len, given;
	CK_ULONG_PTR plen;
} out;

static void pick_out(fz_in *in, out *o)
{
	uint8_t b = fz_u8(in);
	CK_ULONG n;

	o->plen = &o->len;
	switch (b % 10) {
	case 0:
	case 1:
		o->p = NULL;
		o->len = o->given = b & 0x80 ? (CK_ULONG)fz_u64(in) : 0;
		return;
	case 2:
		n = st.last_len;
		break;
	case 3:
		n = st.last_len > 0 ? st.last_len - 1 : 0;
		break;
	case 4:
		n = 0;
		break;
	case 5:
		n = 1;
		break;
	case 6:
		n = fz_u8(in);
		break;
	case 7:
		n = fz_u16(in) % MAX_OUT;
		break;
	case 8:
		n = 512;
		break;
	default:
		o->p = own(fz_buf(64));
		o->len = o->given = 64;
		o->plen = NULL;
		return;
	}
	o->p = own(fz_buf(n));
	o->len = o->given = n;
}

static void out_check(const char *fn, CK_RV rv, const out *o)
{
	fz_rv_sane(rv, fn);
	if (o->plen == NULL)
		return;
	if (rv == CKR_OK && o->p != NULL && o->len > o->given)
		fz_die("%s: CKR_OK with %lu bytes in a %lu-byte buffer", fn, (unsigned long)o->len,
		       (unsigned long)o->given);
	if ((rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL) && o->len <= MAX_OUT)
		st.last_len = o->len;
}

static void keep_sig(CK_RV rv, const out *o)
{
	if (rv == CKR_OK && o->p != NULL && o->len <= sizeof(st.sig)) {
		memcpy(st.sig, o->p, o->len);
		st.siglen = o->len;
	}
}

/* ---- C_Initialize's arguments ---- */

static CK_RV mutex_create(CK_VOID_PTR_PTR m)
{
	pthread_mutex_t *p = malloc(sizeof(*p));

	if (p == NULL)
		return CKR_HOST_MEMORY;
	pthread_mutex_init(p, NULL);
	*m = p;
	return CKR_OK;
}

static CK_RV mutex_destroy(CK_VOID_PTR m)
{
	pthread_mutex_destroy(m);
	free(m);
	return CKR_OK;
}

static CK_RV mutex_lock(CK_VOID_PTR m)
{
	return pthread_mutex_lock(m) == 0 ? CKR_OK : CKR_GENERAL_ERROR;
}

static CK_RV mutex_unlock(CK_VOID_PTR m)
{
	return pthread_mutex_unlock(m) == 0 ? CKR_OK : CKR_GENERAL_ERROR;
}

static CK_RV mutex_create_fails(CK_VOID_PTR_PTR m)
{
	(void)m;
	return CKR_HOST_MEMORY;
}

static CK_RV call_initialize(fz_in *in)
{
	CK_C_INITIALIZE_ARGS a;
	uint8_t b = fz_u8(in);

	memset(&a, 0, sizeof(a));
	switch (b % 7) {
	case 0:
		return fz_p11->C_Initialize(NULL);
	case 1:
		a.flags = CKF_OS_LOCKING_OK;
		break;
	case 2:
	case 3:
		a.CreateMutex = mutex_create;
		a.DestroyMutex = mutex_destroy;
		a.LockMutex = mutex_lock;
		a.UnlockMutex = mutex_unlock;
		a.flags = b & 0x80 ? CKF_OS_LOCKING_OK : 0;
		break;
	case 4:
		a.CreateMutex = mutex_create; /* only one of four */
		break;
	case 5:
		a.pReserved = &a;
		break;
	default:
		a.CreateMutex = mutex_create_fails;
		a.DestroyMutex = mutex_destroy;
		a.LockMutex = mutex_lock;
		a.UnlockMutex = mutex_unlock;
		break;
	}
	if (b & 0x40)
		a.flags |= CKF_LIBRARY_CANT_CREATE_OS_THREADS;
	if (b & 0x20)
		a.flags |= (CK_FLAGS)fz_u32(in);
	return fz_p11->C_Initialize(&a);
}

/* ---- The calls ---- */

static CK_RV notify(CK_SESSION_HANDLE s, CK_NOTIFICATION ev, CK_VOID_PTR app)
{
	(void)s;
	(void)ev;
	(void)app;
	return CKR_OK;
}

static void call_templates(fz_in *in, uint8_t op)
{
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE, h2 = CK_INVALID_HANDLE;
	CK_SESSION_HANDLE s = pick_sess(in);
	int null_out = fz_u8(in) == 0xff;
	CK_MECHANISM m;
	CK_MECHANISM_PTR mp;
	fz_tmpl t, t2;
	CK_RV rv;

	switch (op) {
	case 0:
		fz_tmpl_read(in, &t);
		rv = fz_p11->C_CreateObject(s, t.ptr, t.count, null_out ? NULL : &h);
		fz_rv_sane(rv, "C_CreateObject");
		if (rv == CKR_OK)
			add_obj(h);
		fz_tmpl_free(&t);
		break;
	case 1:
		h2 = pick_obj(in);
		fz_tmpl_read(in, &t);
		rv = fz_p11->C_CopyObject(s, h2, t.ptr, t.count, null_out ? NULL : &h);
		fz_rv_sane(rv, "C_CopyObject");
		if (rv == CKR_OK)
			add_obj(h);
		fz_tmpl_free(&t);
		break;
	case 2:
		h = pick_obj(in);
		fz_tmpl_read_get(in, &t);
		rv = fz_p11->C_GetAttributeValue(s, h, t.ptr, t.count);
		fz_rv_sane(rv, "C_GetAttributeValue");
		fz_tmpl_check_get(&t, rv);
		fz_tmpl_free(&t);
		break;
	case 3:
		h = pick_obj(in);
		fz_tmpl_read(in, &t);
		fz_rv_sane(fz_p11->C_SetAttributeValue(s, h, t.ptr, t.count),
			   "C_SetAttributeValue");
		fz_tmpl_free(&t);
		break;
	case 4:
		fz_tmpl_read(in, &t);
		fz_rv_sane(fz_p11->C_FindObjectsInit(s, t.ptr, t.count), "C_FindObjectsInit");
		fz_tmpl_free(&t);
		break;
	case 5:
		mp = pick_mech(in, &m);
		fz_tmpl_read(in, &t);
		fz_tmpl_read(in, &t2);
		/* RSA generation is slow: only with the rare byte, else a
		 * template that cannot give a key. */
		if (mp != NULL && mp->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN && fz_u8(in) != 0x2a) {
			static CK_ULONG bad_bits = 1024;

			fz_tmpl_free(&t);
			t.ptr = t.a;
			t.n = t.count = 1;
			t.a[0].type = CKA_MODULUS_BITS;
			t.a[0].pValue = fz_dup(&bad_bits, sizeof(bad_bits));
			t.a[0].ulValueLen = sizeof(bad_bits);
		}
		rv = fz_p11->C_GenerateKeyPair(s, mp, t.ptr, t.count, t2.ptr, t2.count,
					       null_out ? NULL : &h, &h2);
		fz_rv_sane(rv, "C_GenerateKeyPair");
		if (rv == CKR_OK) {
			add_obj(h);
			add_obj(h2);
		}
		fz_tmpl_free(&t);
		fz_tmpl_free(&t2);
		break;
	default:
		mp = pick_mech(in, &m);
		fz_tmpl_read(in, &t);
		rv = fz_p11->C_GenerateKey(s, mp, t.ptr, t.count, null_out ? NULL : &h);
		fz_rv_sane(rv, "C_GenerateKey");
		if (rv == CKR_OK)
			add_obj(h);
		fz_tmpl_free(&t);
		break;
	}
}

static void call_find(fz_in *in)
{
	CK_SESSION_HANDLE s = pick_sess(in);
	uint8_t b = fz_u8(in);
	CK_ULONG max = b % 9, count = (CK_ULONG)-1, i;
	CK_OBJECT_HANDLE *hs = max > 0 && !(b & 0x80) ? own(fz_buf(max * sizeof(*hs))) : NULL;
	CK_RV rv;

	rv = fz_p11->C_FindObjects(s, hs, max, (b & 0x40) ? NULL : &count);
	fz_rv_sane(rv, "C_FindObjects");
	if (rv == CKR_OK && !(b & 0x40)) {
		if (count > max)
			fz_die("C_FindObjects: %lu handles for room of %lu", (unsigned long)count,
			       (unsigned long)max);
		for (i = 0; i < count && hs != NULL; i++)
			add_obj(hs[i]);
	}
}

/* C_Digest*, C_Sign*, C_Verify*: init, one part, update, final. */
static void call_crypto(fz_in *in, uint8_t op)
{
	CK_SESSION_HANDLE s = pick_sess(in);
	CK_MECHANISM m;
	CK_MECHANISM_PTR mp;
	CK_BYTE_PTR d, sig;
	CK_ULONG dlen, siglen;
	out o;
	CK_RV rv;

	switch (op) {
	case 0:
		mp = pick_mech(in, &m);
		fz_rv_sane(fz_p11->C_DigestInit(s, mp), "C_DigestInit");
		break;
	case 1:
		pick_data(in, &d, &dlen);
		pick_out(in, &o);
		rv = fz_p11->C_Digest(s, d, dlen, o.p, o.plen);
		out_check("C_Digest", rv, &o);
		break;
	case 2:
		pick_data(in, &d, &dlen);
		fz_rv_sane(fz_p11->C_DigestUpdate(s, d, dlen), "C_DigestUpdate");
		break;
	case 3:
		fz_rv_sane(fz_p11->C_DigestKey(s, pick_obj(in)), "C_DigestKey");
		break;
	case 4:
		pick_out(in, &o);
		rv = fz_p11->C_DigestFinal(s, o.p, o.plen);
		out_check("C_DigestFinal", rv, &o);
		break;
	case 5:
		mp = pick_mech(in, &m);
		fz_rv_sane(fz_p11->C_SignInit(s, mp, pick_obj(in)), "C_SignInit");
		break;
	case 6:
		pick_data(in, &d, &dlen);
		pick_out(in, &o);
		rv = fz_p11->C_Sign(s, d, dlen, o.p, o.plen);
		out_check("C_Sign", rv, &o);
		keep_sig(rv, &o);
		break;
	case 7:
		pick_data(in, &d, &dlen);
		fz_rv_sane(fz_p11->C_SignUpdate(s, d, dlen), "C_SignUpdate");
		break;
	case 8:
		pick_out(in, &o);
		rv = fz_p11->C_SignFinal(s, o.p, o.plen);
		out_check("C_SignFinal", rv, &o);
		keep_sig(rv, &o);
		break;
	case 9:
		mp = pick_mech(in, &m);
		fz_rv_sane(fz_p11->C_VerifyInit(s, mp, pick_obj(in)), "C_VerifyInit");
		break;
	case 10:
		pick_data(in, &d, &dlen);
		pick_data(in, &sig, &siglen);
		fz_rv_sane(fz_p11->C_Verify(s, d, dlen, sig, siglen), "C_Verify");
		break;
	case 11:
		pick_data(in, &d, &dlen);
		fz_rv_sane(fz_p11->C_VerifyUpdate(s, d, dlen), "C_VerifyUpdate");
		break;
	default:
		pick_data(in, &sig, &siglen);
		fz_rv_sane(fz_p11->C_VerifyFinal(s, sig, siglen), "C_VerifyFinal");
		break;
	}
}

/* The functions the module offers only as "not supported" (encryption,
 * recovery, dual-function, wrapping, derivation): each must still check
 * its arguments and never touch a buffer. */
static void call_unsupported(fz_in *in)
{
	CK_SESSION_HANDLE s = pick_sess(in);
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_MECHANISM m;
	CK_MECHANISM_PTR mp;
	CK_BYTE_PTR d;
	CK_ULONG dlen;
	fz_tmpl t;
	out o;
	CK_RV rv;
	uint8_t sub = fz_u8(in) % 19;

	if (sub < 2 || sub == 4 || sub == 6 || sub >= 16)
		mp = pick_mech(in, &m);
	else
		mp = NULL;
	pick_data(in, &d, &dlen);
	pick_out(in, &o);
	switch (sub) {
	case 0:
		rv = fz_p11->C_EncryptInit(s, mp, pick_obj(in));
		break;
	case 1:
		rv = fz_p11->C_DecryptInit(s, mp, pick_obj(in));
		break;
	case 2:
		rv = fz_p11->C_Encrypt(s, d, dlen, o.p, o.plen);
		break;
	case 3:
		rv = fz_p11->C_EncryptUpdate(s, d, dlen, o.p, o.plen);
		break;
	case 4:
		rv = fz_p11->C_SignRecoverInit(s, mp, pick_obj(in));
		break;
	case 5:
		rv = fz_p11->C_EncryptFinal(s, o.p, o.plen);
		break;
	case 6:
		rv = fz_p11->C_VerifyRecoverInit(s, mp, pick_obj(in));
		break;
	case 7:
		rv = fz_p11->C_Decrypt(s, d, dlen, o.p, o.plen);
		break;
	case 8:
		rv = fz_p11->C_SignRecover(s, d, dlen, o.p, o.plen);
		break;
	case 9:
		rv = fz_p11->C_DecryptUpdate(s, d, dlen, o.p, o.plen);
		break;
	case 10:
		rv = fz_p11->C_DecryptFinal(s, o.p, o.plen);
		break;
	case 11:
		rv = fz_p11->C_VerifyRecover(s, d, dlen, o.p, o.plen);
		break;
	case 12:
		rv = fz_p11->C_DigestEncryptUpdate(s, d, dlen, o.p, o.plen);
		break;
	case 13:
		rv = fz_p11->C_DecryptDigestUpdate(s, d, dlen, o.p, o.plen);
		break;
	case 14:
		rv = fz_p11->C_SignEncryptUpdate(s, d, dlen, o.p, o.plen);
		break;
	case 15:
		rv = fz_p11->C_DecryptVerifyUpdate(s, d, dlen, o.p, o.plen);
		break;
	case 16:
		rv = fz_p11->C_WrapKey(s, mp, pick_obj(in), pick_obj(in), o.p, o.plen);
		break;
	case 17:
		fz_tmpl_read(in, &t);
		rv = fz_p11->C_UnwrapKey(s, mp, pick_obj(in), d, dlen, t.ptr, t.count, &h);
		fz_tmpl_free(&t);
		break;
	default:
		fz_tmpl_read(in, &t);
		rv = fz_p11->C_DeriveKey(s, mp, pick_obj(in), t.ptr, t.count, &h);
		fz_tmpl_free(&t);
		break;
	}
	out_check("an unsupported function", rv, &o);
	if (rv == CKR_OK && (sub == 17 || sub == 18))
		add_obj(h);
}

static void call_slot(fz_in *in, uint8_t op)
{
	CK_SLOT_ID slots[MAX_SLOTS], sl;
	CK_MECHANISM_TYPE ml[64];
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_MECHANISM_INFO mi;
	CK_INFO info;
	CK_ULONG n, room, i;
	CK_UTF8CHAR_PTR pin;
	CK_ULONG pinlen;
	uint8_t b;
	CK_RV rv;

	switch (op) {
	case 0:
		fz_rv_sane(fz_p11->C_GetInfo(fz_u8(in) & 1 ? NULL : &info), "C_GetInfo");
		break;
	case 1:
		b = fz_u8(in);
		room = n = (b >> 2) % (MAX_SLOTS + 1);
		rv = fz_p11->C_GetSlotList(b & 1, (b & 2) ? slots : NULL, (b & 0x80) ? NULL : &n);
		fz_rv_sane(rv, "C_GetSlotList");
		if (rv == CKR_OK && (b & 2) && !(b & 0x80)) {
			if (n > room)
				fz_die("C_GetSlotList: %lu slots for room of %lu", (unsigned long)n,
				       (unsigned long)room);
			st.nslot = 0;
			for (i = 0; i < n; i++)
				st.slot[st.nslot++] = slots[i];
		}
		break;
	case 2:
		sl = pick_slot(in);
		fz_rv_sane(fz_p11->C_GetSlotInfo(sl, fz_u8(in) & 1 ? NULL : &si), "C_GetSlotInfo");
		break;
	case 3:
		sl = pick_slot(in);
		fz_rv_sane(fz_p11->C_GetTokenInfo(sl, fz_u8(in) & 1 ? NULL : &ti),
			   "C_GetTokenInfo");
		break;
	case 4:
		sl = pick_slot(in);
		b = fz_u8(in);
		room = n = b % 65;
		rv = fz_p11->C_GetMechanismList(sl, (b & 0x80) ? NULL : ml, (b & 0x40) ? NULL : &n);
		fz_rv_sane(rv, "C_GetMechanismList");
		if (rv == CKR_OK && !(b & 0xc0) && n > room)
			fz_die("C_GetMechanismList: %lu for room of %lu", (unsigned long)n,
			       (unsigned long)room);
		break;
	case 5:
		sl = pick_slot(in);
		fz_rv_sane(fz_p11->C_GetMechanismInfo(sl, pick_mech_type(in),
						      fz_u8(in) & 1 ? NULL : &mi),
			   "C_GetMechanismInfo");
		break;
	default: {
		CK_UTF8CHAR label[32];
		const uint8_t *p;
		size_t len;

		sl = pick_slot(in);
		pick_pin(in, &pin, &pinlen);
		b = fz_u8(in);
		memset(label, ' ', sizeof(label));
		p = fz_bytes(in, b % 33, &len);
		memcpy(label, p, len);
		fz_rv_sane(fz_p11->C_InitToken(sl, pin, pinlen, (b & 0x80) ? NULL : label),
			   "C_InitToken");
		break;
	}
	}
}

static void call_session(fz_in *in, uint8_t op)
{
	static const CK_FLAGS flag_choices[] = { CKF_SERIAL_SESSION | CKF_RW_SESSION,
						 CKF_SERIAL_SESSION, 0, CKF_RW_SESSION };
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
	CK_SESSION_INFO si;
	CK_UTF8CHAR_PTR pin, pin2;
	CK_ULONG pinlen, pinlen2;
	CK_USER_TYPE users[] = { CKU_USER, CKU_SO, CKU_CONTEXT_SPECIFIC, 0 };
	CK_SLOT_ID sl;
	CK_FLAGS fl;
	CK_BYTE_PTR d;
	CK_ULONG dlen;
	out o;
	uint8_t b;
	CK_RV rv;

	switch (op) {
	case 0:
		sl = pick_slot(in);
		b = fz_u8(in);
		fl = (b & 0x10) ? (CK_FLAGS)fz_u32(in) : flag_choices[b & 3];
		rv = fz_p11->C_OpenSession(sl, fl, (b & 0x20) ? &st : NULL,
					   (b & 0x40) ? notify : NULL, (b & 0x80) ? NULL : &h);
		fz_rv_sane(rv, "C_OpenSession");
		if (rv == CKR_OK)
			add_sess(h);
		break;
	case 1:
		fz_rv_sane(fz_p11->C_CloseSession(pick_sess(in)), "C_CloseSession");
		break;
	case 2:
		fz_rv_sane(fz_p11->C_CloseAllSessions(pick_slot(in)), "C_CloseAllSessions");
		break;
	case 3:
		h = pick_sess(in);
		fz_rv_sane(fz_p11->C_GetSessionInfo(h, fz_u8(in) & 1 ? NULL : &si),
			   "C_GetSessionInfo");
		break;
	case 4:
		h = pick_sess(in);
		b = fz_u8(in);
		pick_pin(in, &pin, &pinlen);
		fz_rv_sane(fz_p11->C_Login(h, b < 0xf0 ? users[b & 3] : fz_u32(in), pin, pinlen),
			   "C_Login");
		break;
	case 5:
		fz_rv_sane(fz_p11->C_Logout(pick_sess(in)), "C_Logout");
		break;
	case 6:
		h = pick_sess(in);
		pick_pin(in, &pin, &pinlen);
		fz_rv_sane(fz_p11->C_InitPIN(h, pin, pinlen), "C_InitPIN");
		break;
	case 7:
		h = pick_sess(in);
		pick_pin(in, &pin, &pinlen);
		pick_pin(in, &pin2, &pinlen2);
		fz_rv_sane(fz_p11->C_SetPIN(h, pin, pinlen, pin2, pinlen2), "C_SetPIN");
		break;
	case 8:
		h = pick_sess(in);
		pick_out(in, &o);
		rv = fz_p11->C_GetOperationState(h, o.p, o.plen);
		out_check("C_GetOperationState", rv, &o);
		break;
	case 9:
		h = pick_sess(in);
		pick_data(in, &d, &dlen);
		fz_rv_sane(fz_p11->C_SetOperationState(h, d, dlen, pick_obj(in), pick_obj(in)),
			   "C_SetOperationState");
		break;
	case 10:
		fz_rv_sane(fz_p11->C_DestroyObject(pick_sess(in), pick_obj(in)), "C_DestroyObject");
		break;
	case 11: {
		CK_ULONG size;

		h = pick_sess(in);
		fz_rv_sane(fz_p11->C_GetObjectSize(h, pick_obj(in), fz_u8(in) & 1 ? NULL : &size),
			   "C_GetObjectSize");
		break;
	}
	case 12:
		fz_rv_sane(fz_p11->C_FindObjectsFinal(pick_sess(in)), "C_FindObjectsFinal");
		break;
	case 13:
		h = pick_sess(in);
		pick_data(in, &d, &dlen);
		fz_rv_sane(fz_p11->C_SeedRandom(h, d, dlen), "C_SeedRandom");
		break;
	case 14:
		h = pick_sess(in);
		pick_out(in, &o);
		/* The length is the buffer's: a NULL buffer with a length must
		 * be refused. */
		fz_rv_sane(fz_p11->C_GenerateRandom(h, o.p, o.p != NULL ? o.given : o.len),
			   "C_GenerateRandom");
		break;
	case 15:
		h = pick_sess(in);
		fz_rv_sane(fz_u8(in) & 1 ? fz_p11->C_GetFunctionStatus(h)
					 : fz_p11->C_CancelFunction(h),
			   "C_GetFunctionStatus/C_CancelFunction");
		break;
	default:
		/* Never without CKF_DONT_BLOCK: a blocking wait would hang. */
		b = fz_u8(in);
		fz_rv_sane(fz_p11->C_WaitForSlotEvent(CKF_DONT_BLOCK | (b & 0xf0),
						      (b & 1) ? NULL : &sl, (b & 2) ? &b : NULL),
			   "C_WaitForSlotEvent");
		break;
	}
}

static void call_general(fz_in *in, uint8_t op)
{
	CK_FUNCTION_LIST_PTR fl;
	CK_INTERFACE ifs[4];
	CK_INTERFACE_PTR ip;
	CK_VERSION v = { 2, 40 };
	CK_ULONG n;
	uint8_t b;

	switch (op) {
	case 0:
		fz_rv_sane(call_initialize(in), "C_Initialize");
		break;
	case 1:
		fz_rv_sane(fz_p11->C_Finalize(fz_u8(in) & 1 ? &fl : NULL), "C_Finalize");
		break;
	case 2:
		fz_rv_sane(fz_p11->C_GetFunctionList(fz_u8(in) & 1 ? NULL : &fl),
			   "C_GetFunctionList");
		break;
	case 3:
		b = fz_u8(in);
		n = b % 5;
		fz_rv_sane(C_GetInterfaceList((b & 0x80) ? NULL : ifs, (b & 0x40) ? NULL : &n),
			   "C_GetInterfaceList");
		break;
	default:
		b = fz_u8(in);
		v.minor = fz_u8(in);
		fz_rv_sane(C_GetInterface((b & 1) ? NULL : (CK_UTF8CHAR_PTR) "PKCS 11",
					  (b & 2) ? NULL : &v, (b & 4) ? NULL : &ip,
					  (b & 8) ? fz_u32(in) : 0),
			   "C_GetInterface");
		break;
	}
}

/* The PKCS#11 3.0 additions, through the 3.0 function list: C_LoginUser,
 * C_SessionCancel, the message-based functions (not offered: each must
 * check its arguments and touch no buffer), *Init with a NULL mechanism
 * (ends the active operation in 3.0) and the 3.0 list's C_GetInfo. */
static void call_v30(fz_in *in)
{
	CK_VERSION v30 = { 3, 0 };
	CK_INTERFACE_PTR ip = NULL;
	CK_FUNCTION_LIST_3_0_PTR f;
	CK_SESSION_HANDLE s = pick_sess(in);
	CK_UTF8CHAR_PTR pin;
	CK_ULONG pinlen, dlen;
	CK_BYTE_PTR d;
	CK_MECHANISM m;
	CK_INFO info;
	uint8_t sub = fz_u8(in) % 10;
	out o;
	CK_RV rv;

	if (C_GetInterface((CK_UTF8CHAR_PTR) "PKCS 11", &v30, &ip, 0) != CKR_OK || ip == NULL)
		fz_die("C_GetInterface: no 3.0 interface");
	f = ip->pFunctionList;
	pick_data(in, &d, &dlen);
	pick_out(in, &o);
	switch (sub) {
	case 0:
		pick_pin(in, &pin, &pinlen);
		rv = f->C_LoginUser(s, fz_u8(in) & 1 ? CKU_SO : CKU_USER, pin, pinlen, d, dlen);
		break;
	case 1:
		rv = f->C_SessionCancel(s, special(in, fz_u8(in), 0));
		break;
	case 2:
		rv = f->C_MessageSignInit(s, pick_mech(in, &m), pick_obj(in));
		break;
	case 3:
		rv = f->C_MessageEncryptInit(s, pick_mech(in, &m), pick_obj(in));
		break;
	case 4:
		rv = f->C_SignMessage(s, d, dlen, d, dlen, o.p, o.plen);
		break;
	case 5:
		rv = f->C_EncryptMessage(s, d, dlen, d, dlen, d, dlen, o.p, o.plen);
		break;
	case 6:
		rv = f->C_VerifyMessageNext(s, d, dlen, d, dlen, d, dlen);
		break;
	case 7:
		rv = f->C_MessageDecryptFinal(s);
		break;
	case 8:
		rv = fz_u8(in) & 1 ? f->C_SignInit(s, NULL, pick_obj(in))
				   : f->C_DigestInit(s, NULL);
		break;
	default:
		rv = f->C_GetInfo(fz_u8(in) & 1 ? NULL : &info);
		break;
	}
	out_check("a PKCS#11 3.0 function", rv, &o);
}

static void call(fz_in *in)
{
	uint8_t op = fz_u8(in) % 50;

	if (op < 5)
		call_general(in, op);
	else if (op < 12)
		call_slot(in, op - 5);
	else if (op < 29)
		call_session(in, op - 12);
	else if (op < 36)
		call_templates(in, op - 29);
	else if (op < 38)
		call_find(in);
	else if (op < 47)
		/* 13 calls on 9 operation values and a bit of the next byte */
		call_crypto(in, (uint8_t)(op - 38 + (fz_u8(in) & 1) * 9) % 13);
	else if (op < 48)
		call_unsupported(in);
	else
		call_v30(in);
	free_owned();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_in in = { data, size };
	int i;

	(void)fz_p11->C_Finalize(NULL);
	snapshot_restore();
	fz_expect(fz_p11->C_Initialize(NULL), CKR_OK, "C_Initialize");
	memset(&st, 0, sizeof(st));
	for (i = 0; i < MAX_CALLS && in.n > 0; i++)
		call(&in);
	(void)fz_p11->C_Finalize(NULL);
	return 0;
}
