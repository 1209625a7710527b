/* What the fuzz targets share (see fuzz_common.h). */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "fuzz_data.h"

CK_FUNCTION_LIST_PTR fz_p11;
char fz_dir[512];
char fz_store[600];

/* ASan's defaults for the fuzz targets (ASAN_OPTIONS adds to them): a 16 MiB
 * quarantine instead of 256 MiB. Every input opens SQLite and the module
 * anew, and with the large quarantine each allocation lands on fresh pages:
 * page faults took half the time of fuzz_calls. A use after free is still
 * caught unless 16 MiB were freed in between. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

/* ---- Reading the input ---- */

static uint64_t read_le(fz_in *in, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n && in->n > 0; i++) {
		v |= (uint64_t)in->p[0] << (8 * i);
		in->p++;
		in->n--;
	}
	return v;
}

uint8_t fz_u8(fz_in *in)
{
	return (uint8_t)read_le(in, 1);
}

uint16_t fz_u16(fz_in *in)
{
	return (uint16_t)read_le(in, 2);
}

uint32_t fz_u32(fz_in *in)
{
	return (uint32_t)read_le(in, 4);
}

uint64_t fz_u64(fz_in *in)
{
	return read_le(in, 8);
}

const uint8_t *fz_bytes(fz_in *in, size_t want, size_t *got)
{
	const uint8_t *p = in->p;

	*got = want < in->n ? want : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

void *fz_dup(const void *p, size_t n)
{
	void *b = malloc(n);

	if (b == NULL)
		fz_die("out of memory");
	if (n > 0)
		memcpy(b, p, n);
	return b;
}

void *fz_buf(size_t n)
{
	void *b = malloc(n);

	if (b == NULL)
		fz_die("out of memory");
	memset(b, 0xa5, n);
	return b;
}

/* ---- The module and its token ---- */

void fz_die(const char *fmt, ...)
{
	va_list ap;

	fputs("FUZZ CHECK FAILED: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fz_expect(CK_RV rv, CK_RV want, const char *what)
{
	if (rv != want)
		fz_die("%s: rv 0x%lx, expected 0x%lx", what, (unsigned long)rv,
		       (unsigned long)want);
}

void fz_rv_sane(CK_RV rv, const char *fn)
{
	static int trace = -1;

	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;
	if (trace)
		fprintf(stderr, "%s: 0x%lx\n", fn, (unsigned long)rv);
	if (rv == CKR_GENERAL_ERROR || rv == CKR_DEVICE_ERROR)
		fz_die("%s answered 0x%lx (%s)", fn, (unsigned long)rv,
		       rv == CKR_GENERAL_ERROR ? "CKR_GENERAL_ERROR" : "CKR_DEVICE_ERROR");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

static void rmtree(const char *path)
{
	(void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int rm_below(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		(void)remove(path);
	return 0;
}

void fz_store_clear(void)
{
	(void)nftw(fz_store, rm_below, 16, FTW_DEPTH | FTW_PHYS);
}

static void scratch_remove(void)
{
	if (fz_dir[0] != '\0')
		rmtree(fz_dir);
}

void fz_scratch(const char *tag)
{
	const char *tmp = getenv("TMPDIR");
	char conf[700];
	FILE *f;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(fz_dir, sizeof(fz_dir), "%s/iotoken-%s-XXXXXX", tmp, tag);
	if (mkdtemp(fz_dir) == NULL)
		fz_die("mkdtemp(%s): %s", fz_dir, strerror(errno));
	atexit(scratch_remove);
	snprintf(fz_store, sizeof(fz_store), "%s/store", fz_dir);
	snprintf(conf, sizeof(conf), "%s/iotoken.conf", fz_dir);
	f = fopen(conf, "w");
	if (f == NULL)
		fz_die("cannot write %s: %s", conf, strerror(errno));
	fprintf(f, "dir = %s\npbkdf2_iterations = 1000\n", fz_store);
	if (getenv("FUZZ_STORE") != NULL)
		fprintf(f, "store = %s\n", getenv("FUZZ_STORE"));
	if (fclose(f) != 0)
		fz_die("cannot write %s", conf);
	if (setenv("IOTOKEN_CONF", conf, 1) != 0)
		fz_die("setenv failed");
	fz_expect(C_GetFunctionList(&fz_p11), CKR_OK, "C_GetFunctionList");
}

CK_SLOT_ID fz_token_create(void)
{
	CK_SLOT_ID slots[16], slot = (CK_SLOT_ID)-1;
	CK_ULONG n = 16, i;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_UTF8CHAR label[32];

	fz_expect(fz_p11->C_Initialize(NULL), CKR_OK, "C_Initialize");
	fz_expect(fz_p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK, "C_GetSlotList");
	for (i = 0; i < n; i++) {
		fz_expect(fz_p11->C_GetTokenInfo(slots[i], &ti), CKR_OK, "C_GetTokenInfo");
		if (!(ti.flags & CKF_TOKEN_INITIALIZED))
			slot = slots[i];
	}
	if (slot == (CK_SLOT_ID)-1)
		fz_die("no empty slot");
	memset(label, ' ', sizeof(label));
	memcpy(label, FZ_LABEL, strlen(FZ_LABEL));
	fz_expect(fz_p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)FZ_SO_PIN, strlen(FZ_SO_PIN), label),
		  CKR_OK, "C_InitToken");
	fz_expect(fz_p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
		  CKR_OK, "C_OpenSession");
	fz_expect(fz_p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)FZ_SO_PIN, strlen(FZ_SO_PIN)), CKR_OK,
		  "C_Login(SO)");
	fz_expect(fz_p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)FZ_USER_PIN, strlen(FZ_USER_PIN)), CKR_OK,
		  "C_InitPIN");
	fz_expect(fz_p11->C_Logout(s), CKR_OK, "C_Logout");
	fz_expect(fz_p11->C_CloseSession(s), CKR_OK, "C_CloseSession");
	return slot;
}

/* ---- Attribute templates from bytes ---- */

/* The index of a type in this table is what the input names (the seed
 * generator, fuzz/gen_corpus.py, reads the table from this file). */
/* fz_attr_types begin */
const CK_ATTRIBUTE_TYPE fz_attr_types[] = {
	CKA_CLASS,
	CKA_TOKEN,
	CKA_PRIVATE,
	CKA_LABEL,
	CKA_APPLICATION,
	CKA_VALUE,
	CKA_OBJECT_ID,
	CKA_CERTIFICATE_TYPE,
	CKA_ISSUER,
	CKA_SERIAL_NUMBER,
	CKA_AC_ISSUER,
	CKA_OWNER,
	CKA_ATTR_TYPES,
	CKA_TRUSTED,
	CKA_CERTIFICATE_CATEGORY,
	CKA_JAVA_MIDP_SECURITY_DOMAIN,
	CKA_URL,
	CKA_HASH_OF_SUBJECT_PUBLIC_KEY,
	CKA_HASH_OF_ISSUER_PUBLIC_KEY,
	CKA_NAME_HASH_ALGORITHM,
	CKA_CHECK_VALUE,
	CKA_KEY_TYPE,
	CKA_SUBJECT,
	CKA_ID,
	CKA_SENSITIVE,
	CKA_ENCRYPT,
	CKA_DECRYPT,
	CKA_WRAP,
	CKA_UNWRAP,
	CKA_SIGN,
	CKA_SIGN_RECOVER,
	CKA_VERIFY,
	CKA_VERIFY_RECOVER,
	CKA_DERIVE,
	CKA_START_DATE,
	CKA_END_DATE,
	CKA_MODULUS,
	CKA_MODULUS_BITS,
	CKA_PUBLIC_EXPONENT,
	CKA_PRIVATE_EXPONENT,
	CKA_PRIME_1,
	CKA_PRIME_2,
	CKA_EXPONENT_1,
	CKA_EXPONENT_2,
	CKA_COEFFICIENT,
	CKA_PUBLIC_KEY_INFO,
	CKA_PRIME,
	CKA_SUBPRIME,
	CKA_BASE,
	CKA_VALUE_BITS,
	CKA_VALUE_LEN,
	CKA_EXTRACTABLE,
	CKA_LOCAL,
	CKA_NEVER_EXTRACTABLE,
	CKA_ALWAYS_SENSITIVE,
	CKA_KEY_GEN_MECHANISM,
	CKA_MODIFIABLE,
	CKA_COPYABLE,
	CKA_DESTROYABLE,
	CKA_EC_PARAMS,
	CKA_EC_POINT,
	CKA_ALWAYS_AUTHENTICATE,
	CKA_WRAP_WITH_TRUSTED,
	CKA_OTP_FORMAT,
	CKA_HW_FEATURE_TYPE,
	CKA_RESET_ON_INIT,
	CKA_HAS_RESET,
	CKA_ALLOWED_MECHANISMS,
	CKA_VENDOR_DEFINED,
};
/* fz_attr_types end */
const size_t fz_attr_types_n = sizeof(fz_attr_types) / sizeof(fz_attr_types[0]);

static const uint8_t oid_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t oid_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t oid_p521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t oid_k256[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a };
static const uint8_t exp_f4[] = { 0x01, 0x00, 0x01 };

/* A dictionary value for form 8; *len set. */
static const uint8_t *dict_value(unsigned i, size_t *len, uint8_t *tmp)
{
	switch (i % 9) {
	case 0:
		*len = sizeof(oid_p256);
		return oid_p256;
	case 1:
		*len = sizeof(oid_p384);
		return oid_p384;
	case 2:
		*len = sizeof(oid_p521);
		return oid_p521;
	case 3:
		*len = sizeof(oid_k256);
		return oid_k256;
	case 4: /* the point as a DER OCTET STRING */
		tmp[0] = 0x04;
		tmp[1] = sizeof(fz_ec_point);
		memcpy(tmp + 2, fz_ec_point, sizeof(fz_ec_point));
		*len = 2 + sizeof(fz_ec_point);
		return tmp;
	case 5:
		*len = sizeof(fz_ec_point);
		return fz_ec_point;
	case 6:
		*len = sizeof(fz_ec_scalar);
		return fz_ec_scalar;
	case 7:
		*len = sizeof(fz_cert_der);
		return fz_cert_der;
	default:
		*len = sizeof(exp_f4);
		return exp_f4;
	}
}

static const CK_ULONG special_ulongs[] = {
	0,
	1,
	2,
	3,
	4,
	CKO_VENDOR_DEFINED,
	CK_UNAVAILABLE_INFORMATION,
	0xffffffffUL,
	0x80000000UL,
	CKM_EC_KEY_PAIR_GEN,
	CKM_RSA_PKCS_KEY_PAIR_GEN,
	256,
	2048,
	(CK_ULONG)1 << 63,
	65537,
	32,
};

static CK_ATTRIBUTE_TYPE read_type(fz_in *in)
{
	uint8_t b = fz_u8(in);
	CK_ATTRIBUTE_TYPE t;

	if (b < fz_attr_types_n)
		return fz_attr_types[b];
	t = (b & 1) ? (CK_ATTRIBUTE_TYPE)fz_u32(in) : (CK_ATTRIBUTE_TYPE)fz_u64(in);
	/* The value of an array attribute holds pointers: raw bytes there
	 * would make the harness, not the module, wrong. */
	return t & ~(CK_ATTRIBUTE_TYPE)CKF_ARRAY_ATTRIBUTE;
}

/* The count byte: 0xff and 0xfe give a NULL template with a count (the
 * module must refuse it unread). Returns the number of entries to read. */
static CK_ULONG read_count(fz_in *in, fz_tmpl *t)
{
	uint8_t c = fz_u8(in);

	memset(t, 0, sizeof(*t));
	if (c == 0xff) {
		t->ptr = NULL;
		t->count = fz_u8(in);
		return 0;
	}
	if (c == 0xfe) {
		t->ptr = NULL;
		t->count = (CK_ULONG)fz_u64(in);
		return 0;
	}
	t->ptr = t->a;
	t->n = t->count = c % (FZ_MAX_ATTRS + 1);
	return t->n;
}

void fz_tmpl_read(fz_in *in, fz_tmpl *t)
{
	CK_ULONG i, n = read_count(in, t);

	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE *a = &t->a[i];
		uint8_t tmp[2 + sizeof(fz_ec_point)];
		const uint8_t *p;
		CK_ULONG ul;
		CK_BBOOL b;
		size_t len;

		a->type = read_type(in);
		switch (fz_u8(in) % 10) {
		case 0:
			b = fz_u8(in);
			a->pValue = fz_dup(&b, sizeof(b));
			a->ulValueLen = sizeof(b);
			break;
		case 1:
			ul = (CK_ULONG)fz_u64(in);
			a->pValue = fz_dup(&ul, sizeof(ul));
			a->ulValueLen = sizeof(ul);
			break;
		case 2:
			ul = fz_u8(in);
			a->pValue = fz_dup(&ul, sizeof(ul));
			a->ulValueLen = sizeof(ul);
			break;
		case 3:
			p = fz_bytes(in, fz_u8(in), &len);
			a->pValue = fz_dup(p, len);
			a->ulValueLen = len;
			break;
		case 4:
			p = fz_bytes(in, fz_u16(in), &len);
			a->pValue = fz_dup(p, len);
			a->ulValueLen = len;
			break;
		case 5:
			a->pValue = NULL;
			a->ulValueLen = 0;
			break;
		case 6:
			/* A length with no value: must be refused, never read. */
			a->pValue = NULL;
			a->ulValueLen = fz_u8(in) & 1 ? (CK_ULONG)fz_u64(in) : fz_u8(in);
			break;
		case 7:
			/* Odd lengths: a CK_ULONG or CK_BBOOL that is not one. */
			p = fz_bytes(in, fz_u8(in) % 10, &len);
			a->pValue = fz_dup(p, len);
			a->ulValueLen = len;
			break;
		case 8:
			p = dict_value(fz_u8(in), &len, tmp);
			a->pValue = fz_dup(p, len);
			a->ulValueLen = len;
			break;
		default:
			ul = special_ulongs[fz_u8(in) %
					    (sizeof(special_ulongs) / sizeof(special_ulongs[0]))];
			a->pValue = fz_dup(&ul, sizeof(ul));
			a->ulValueLen = sizeof(ul);
			break;
		}
		t->given[i] = a->ulValueLen;
	}
}

void fz_tmpl_read_get(fz_in *in, fz_tmpl *t)
{
	CK_ULONG i, n = read_count(in, t);

	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE *a = &t->a[i];
		size_t len = 0;
		int null = 0;

		a->type = read_type(in);
		switch (fz_u8(in) % 8) {
		case 0:
			null = 1;
			break;
		case 1:
			/* A size query ignores the length. */
			null = 1;
			len = (size_t)fz_u64(in);
			break;
		case 2:
			len = fz_u8(in);
			break;
		case 3:
			len = fz_u16(in) % 4096;
			break;
		case 4:
			len = 0;
			break;
		case 5:
			len = sizeof(CK_ULONG);
			break;
		case 6:
			len = 1;
			break;
		default:
			len = 4096;
			break;
		}
		a->pValue = null ? NULL : fz_buf(len);
		a->ulValueLen = len;
		t->given[i] = len;
	}
}

void fz_tmpl_check_get(const fz_tmpl *t, CK_RV rv)
{
	CK_ULONG i;

	if (t->ptr == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		const CK_ATTRIBUTE *a = &t->a[i];

		if (a->ulValueLen == CK_UNAVAILABLE_INFORMATION) {
			/* v2.40 5.7: only with an error; CKR_OK means every
			 * attribute was returned. */
			if (rv == CKR_OK)
				fz_die("C_GetAttributeValue: CKR_OK with attribute 0x%lx unavailable",
				       (unsigned long)a->type);
			continue;
		}
		if (a->pValue != NULL && a->ulValueLen > t->given[i])
			fz_die("C_GetAttributeValue: attribute 0x%lx returned %lu bytes into a "
			       "%lu-byte buffer",
			       (unsigned long)a->type, (unsigned long)a->ulValueLen,
			       (unsigned long)t->given[i]);
	}
}

void fz_tmpl_free(fz_tmpl *t)
{
	CK_ULONG i;

	for (i = 0; i < t->n; i++) {
		free(t->a[i].pValue);
		t->a[i].pValue = NULL;
	}
	t->n = 0;
}
