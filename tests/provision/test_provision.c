/*
 * The provisioning library (include/iotoken/provision.h) against the built
 * module, loaded as any client loads it (tests/api/common/harness.c). Key
 * files, certificates and CA signatures are made here with OpenSSL, in
 * memory, in every format the API takes.
 */
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "harness.h"
#include "iotoken/provision.h"

static CK_SESSION_HANDLE s;
static EVP_PKEY *ec_key, *ec_key2, *rsa_key;

static const char pass[] = "correct horse";

static int setup(void **state)
{
	h_setup_token(state);
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ec_key2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return ec_key == NULL || ec_key2 == NULL || rsa_key == NULL;
}

static int group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(ec_key2);
	EVP_PKEY_free(rsa_key);
	return 0;
}

/* A memory BIO's contents as a malloc'd buffer (NUL-terminated for PEM). */
static unsigned char *bio_take(BIO *bio, size_t *len)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	unsigned char *out;

	assert_true(n > 0);
	out = malloc((size_t)n + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return out;
}

enum key_format {
	F_PKCS8_PEM,
	F_PKCS8_DER,
	F_PKCS8_ENC_PEM,
	F_PKCS8_ENC_DER,
	F_TRAD_PEM, /* SEC1 or PKCS#1 */
	F_TRAD_DER,
	F_TRAD_ENC_PEM, /* legacy "Proc-Type: 4,ENCRYPTED" */
	F_COUNT
};

static const char *const format_name[F_COUNT] = {
	"PKCS#8 PEM",      "PKCS#8 DER",      "encrypted PKCS#8 PEM",      "encrypted PKCS#8 DER",
	"SEC1/PKCS#1 PEM", "SEC1/PKCS#1 DER", "encrypted SEC1/PKCS#1 PEM",
};

static int encrypted(enum key_format f)
{
	return f == F_PKCS8_ENC_PEM || f == F_PKCS8_ENC_DER || f == F_TRAD_ENC_PEM;
}

static unsigned char *encode_key(EVP_PKEY *k, enum key_format f, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	const EVP_CIPHER *aes = EVP_aes_256_cbc();
	int ok = 0;

	assert_non_null(bio);
	switch (f) {
	case F_PKCS8_PEM:
		ok = PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
		break;
	case F_PKCS8_DER:
		ok = i2d_PKCS8PrivateKey_bio(bio, k, NULL, NULL, 0, NULL, NULL);
		break;
	case F_PKCS8_ENC_PEM:
		ok = PEM_write_bio_PKCS8PrivateKey(bio, k, aes, pass, sizeof(pass) - 1, NULL, NULL);
		break;
	case F_PKCS8_ENC_DER:
		ok = i2d_PKCS8PrivateKey_bio(bio, k, aes, pass, sizeof(pass) - 1, NULL, NULL);
		break;
	case F_TRAD_PEM:
		ok = PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0, NULL, NULL);
		break;
	case F_TRAD_DER:
		ok = i2d_PrivateKey_bio(bio, k);
		break;
	case F_TRAD_ENC_PEM:
		ok = PEM_write_bio_PrivateKey_traditional(bio, k, aes, (unsigned char *)pass,
							  sizeof(pass) - 1, NULL, NULL);
		break;
	default:
		break;
	}
	assert_true(ok);
	return bio_take(bio, len);
}

/* A certificate for subject_key, issued by issuer_key under issuer (NULL:
 * self-signed). */
static X509 *make_cert(EVP_PKEY *subject_key, const char *cn, EVP_PKEY *issuer_key, X509 *issuer)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	assert_non_null(name);
	assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					       -1, -1, 0));
	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 4242));
	assert_true(X509_set_subject_name(x, name));
	assert_true(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_true(X509_set_pubkey(x, subject_key));
	assert_true(X509_sign(x, issuer_key ? issuer_key : subject_key, EVP_sha256()) > 0);
	X509_NAME_free(name);
	return x;
}

static unsigned char *cert_der(X509 *x, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	assert_true(n > 0);
	*len = (size_t)n;
	return der;
}

static unsigned char *cert_pem(X509 *x, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());

	assert_non_null(bio);
	assert_true(PEM_write_bio_X509(bio, x));
	return bio_take(bio, len);
}

static CK_ULONG object_count(void)
{
	CK_OBJECT_HANDLE all[256];

	return h_find(s, NULL, 0, all, 256);
}

/* SHA-1 of the uncompressed point or the modulus, computed here. */
static void expected_id(EVP_PKEY *k, unsigned char id[20])
{
	unsigned char pub[1024];
	size_t len = 0;
	BIGNUM *n = NULL;

	if (EVP_PKEY_is_a(k, "EC")) {
		assert_true(EVP_PKEY_set_utf8_string_param(
			k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed"));
		assert_true(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
							    pub, sizeof(pub), &len));
	} else {
		assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n));
		len = (size_t)BN_bn2bin(n, pub);
		BN_free(n);
	}
	assert_true(EVP_Digest(pub, len, id, NULL, EVP_sha1(), NULL));
}

static CK_OBJECT_HANDLE find_one(CK_OBJECT_CLASS cls, const char *label)
{
	CK_ATTRIBUTE t[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE o[4];

	assert_int_equal(h_find(s, t, 2, o, 4), 1);
	return o[0];
}

static void destroy_label(const char *label)
{
	CK_OBJECT_HANDLE o[16];
	CK_ULONG n = h_find_label(s, label, o, 16), i;

	for (i = 0; i < n; i++)
		assert_ok(p11->C_DestroyObject(s, o[i]));
}

/* The CSR verifies with pub, names subject and is signed with nid. */
static void check_csr(const unsigned char *der, size_t len, EVP_PKEY *pub, const char *subject,
		      int nid)
{
	const unsigned char *p = der;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
	char line[256];

	assert_non_null(req);
	assert_ptr_equal(p, der + len);
	assert_int_equal(X509_REQ_verify(req, pub), 1);
	assert_int_equal(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), pub), 1);
	assert_int_equal(X509_REQ_get_signature_nid(req), nid);
	if (subject != NULL) {
		X509_NAME_oneline(X509_REQ_get_subject_name(req), line, sizeof(line));
		assert_string_equal(line, subject);
	}
	X509_REQ_free(req);
}

/* Imports k in every format (a certificate with some of them), and checks
 * the objects, the id, the check and a CSR signed by the imported key. */
static void import_all_formats(EVP_PKEY *k, int sig_nid)
{
	X509 *x = make_cert(k, "imported", NULL, NULL);
	unsigned char want_id[20];
	int f;

	expected_id(k, want_id);
	for (f = 0; f < F_COUNT; f++) {
		iot_prov_labels labels = { "key", (f % 2) ? "cert" : NULL };
		unsigned char *key, *cert, *id = NULL, *csr = NULL, *back = NULL;
		size_t key_len, cert_len, id_len = 0, csr_len = 0, back_len = 0;
		CK_OBJECT_HANDLE priv, pub;
		CK_ULONG before = object_count();

		print_message("format: %s\n", format_name[f]);
		key = encode_key(k, f, &key_len);
		cert = (f % 2) ? cert_der(x, &cert_len) : cert_pem(x, &cert_len);
		if (encrypted(f)) {
			assert_rv(iot_prov_import(p11, s, key, key_len, "wrong", cert, cert_len,
						  &labels, NULL, NULL),
				  CKR_PIN_INCORRECT);
			assert_rv(iot_prov_import(p11, s, key, key_len, NULL, cert, cert_len,
						  &labels, NULL, NULL),
				  CKR_PIN_INCORRECT);
			assert_int_equal(object_count(), before);
		}
		assert_ok(iot_prov_import(p11, s, key, key_len, encrypted(f) ? pass : NULL, cert,
					  cert_len, &labels, &id, &id_len));
		assert_int_equal(object_count(), before + 3);
		assert_int_equal(id_len, 20);
		assert_memory_equal(id, want_id, 20);

		priv = find_one(CKO_PRIVATE_KEY, "key");
		pub = find_one(CKO_PUBLIC_KEY, "key");
		(void)find_one(CKO_CERTIFICATE, labels.cert_label ? "cert" : "key");
		assert_true(h_get_bool(s, priv, CKA_SENSITIVE));
		assert_false(h_get_bool(s, priv, CKA_EXTRACTABLE));
		assert_true(h_get_bool(s, priv, CKA_PRIVATE));
		assert_true(h_get_bool(s, priv, CKA_TOKEN));
		assert_true(h_get_bool(s, priv, CKA_SIGN));
		assert_true(h_get_bool(s, pub, CKA_VERIFY));
		h_assert_attr(s, priv, CKA_ID, want_id, 20);
		h_assert_attr(s, pub, CKA_ID, want_id, 20);

		assert_ok(iot_prov_check(p11, s, "key"));
		assert_ok(iot_prov_read_cert(p11, s, labels.cert_label ? "cert" : "key", &back,
					     &back_len));
		{
			size_t der_len;
			unsigned char *der = cert_der(x, &der_len);

			assert_int_equal(back_len, der_len);
			assert_memory_equal(back, der, der_len);
			OPENSSL_free(der);
		}
		/* The imported private key signs what its public key verifies. */
		assert_ok(iot_prov_csr(p11, s, "key", "/CN=imported", &csr, &csr_len));
		check_csr(csr, csr_len, k, "/CN=imported", sig_nid);

		iot_prov_free(id);
		iot_prov_free(csr);
		iot_prov_free(back);
		free(key);
		if (f % 2)
			OPENSSL_free(cert);
		else
			free(cert);
		destroy_label("key");
		destroy_label("cert");
	}
	X509_free(x);
}

static void test_import_ec_formats(void **state)
{
	(void)state;
	import_all_formats(ec_key, NID_ecdsa_with_SHA256);
}

static void test_import_rsa_formats(void **state)
{
	(void)state;
	import_all_formats(rsa_key, NID_sha256WithRSAEncryption);
}

/* A certificate for another key is refused before anything is written. */
static void test_import_mismatch(void **state)
{
	iot_prov_labels labels = { "key", NULL };
	X509 *x = make_cert(ec_key2, "other", NULL, NULL);
	unsigned char *key, *cert;
	size_t key_len, cert_len;
	CK_ULONG before;

	(void)state;
	(void)h_data(s, "unrelated", CK_TRUE, CK_FALSE);
	before = object_count();
	key = encode_key(ec_key, F_PKCS8_PEM, &key_len);
	cert = cert_der(x, &cert_len);
	assert_rv(iot_prov_import(p11, s, key, key_len, NULL, cert, cert_len, &labels, NULL, NULL),
		  CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(object_count(), before);
	/* Nor is an RSA certificate for an EC key accepted. */
	X509_free(x);
	OPENSSL_free(cert);
	x = make_cert(rsa_key, "rsa", NULL, NULL);
	cert = cert_der(x, &cert_len);
	assert_rv(iot_prov_import(p11, s, key, key_len, NULL, cert, cert_len, &labels, NULL, NULL),
		  CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(object_count(), before);
	free(key);
	OPENSSL_free(cert);
	X509_free(x);
}

static void test_import_bad_input(void **state)
{
	static const char bad_pem[] = "-----BEGIN PRIVATE KEY-----\nAAAAbm90IGEga2V5\n"
				      "-----END PRIVATE KEY-----\n";
	static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01, 0xff };
	iot_prov_labels labels = { "key", NULL };
	iot_prov_labels no_label = { NULL, NULL };
	unsigned char *key, *pub_pem;
	size_t key_len, pub_len;
	CK_ULONG before = object_count();
	BIO *bio;

	(void)state;
	key = encode_key(ec_key, F_PKCS8_DER, &key_len);
	assert_rv(iot_prov_import(p11, s, bad_pem, sizeof(bad_pem) - 1, NULL, NULL, 0, &labels,
				  NULL, NULL),
		  CKR_ARGUMENTS_BAD);
	assert_rv(iot_prov_import(p11, s, junk, sizeof(junk), NULL, NULL, 0, &labels, NULL, NULL),
		  CKR_ARGUMENTS_BAD);
	/* Truncated DER. */
	assert_rv(iot_prov_import(p11, s, key, key_len / 2, NULL, NULL, 0, &labels, NULL, NULL),
		  CKR_ARGUMENTS_BAD);
	/* A public key is not a private key. */
	bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PUBKEY(bio, ec_key));
	pub_pem = bio_take(bio, &pub_len);
	assert_rv(iot_prov_import(p11, s, pub_pem, pub_len, NULL, NULL, 0, &labels, NULL, NULL),
		  CKR_ARGUMENTS_BAD);
	/* A good key with a bad certificate: nothing written. */
	assert_rv(iot_prov_import(p11, s, key, key_len, NULL, junk, sizeof(junk), &labels, NULL,
				  NULL),
		  CKR_ARGUMENTS_BAD);
	assert_rv(iot_prov_import(p11, s, key, key_len, NULL, bad_pem, sizeof(bad_pem) - 1, &labels,
				  NULL, NULL),
		  CKR_ARGUMENTS_BAD);
	assert_rv(iot_prov_import(p11, s, key, key_len, NULL, NULL, 0, &no_label, NULL, NULL),
		  CKR_ARGUMENTS_BAD);
	assert_rv(iot_prov_import(p11, s, key, key_len, NULL, NULL, 0, NULL, NULL, NULL),
		  CKR_ARGUMENTS_BAD);
	assert_rv(iot_prov_import(p11, s, NULL, 0, NULL, NULL, 0, &labels, NULL, NULL),
		  CKR_ARGUMENTS_BAD);
	assert_int_equal(object_count(), before);
	free(key);
	free(pub_pem);
}

/* Key first, certificate later (the CA's answer), found by public key. */
static void test_import_cert_later(void **state)
{
	iot_prov_labels labels = { "dev", NULL };
	X509 *x = make_cert(rsa_key, "dev", NULL, NULL);
	X509 *other = make_cert(ec_key2, "other", NULL, NULL);
	unsigned char *key, *cert, *ocert;
	size_t key_len, cert_len, ocert_len;
	CK_OBJECT_HANDLE c;
	unsigned char want_id[20];

	(void)state;
	expected_id(rsa_key, want_id);
	key = encode_key(rsa_key, F_TRAD_DER, &key_len);
	assert_ok(iot_prov_import(p11, s, key, key_len, NULL, NULL, 0, &labels, NULL, NULL));
	assert_rv(iot_prov_check(p11, s, "dev"), CKR_OBJECT_HANDLE_INVALID);
	ocert = cert_pem(other, &ocert_len);
	assert_rv(iot_prov_import_cert(p11, s, ocert, ocert_len, NULL), CKR_KEY_HANDLE_INVALID);
	assert_rv(iot_prov_import_cert(p11, s, "junk", 4, NULL), CKR_ARGUMENTS_BAD);
	cert = cert_pem(x, &cert_len);
	assert_ok(iot_prov_import_cert(p11, s, cert, cert_len, NULL));
	/* Without a label of its own, the certificate takes the key's. */
	c = find_one(CKO_CERTIFICATE, "dev");
	h_assert_attr(s, c, CKA_ID, want_id, 20);
	assert_ok(iot_prov_check(p11, s, "dev"));
	assert_ok(iot_prov_import_cert(p11, s, cert, cert_len, "renamed"));
	(void)find_one(CKO_CERTIFICATE, "renamed");
	free(key);
	free(cert);
	free(ocert);
	X509_free(x);
	X509_free(other);
}

static void generate_one(iot_prov_keytype type, int nid)
{
	iot_prov_labels labels = { "gen", NULL };
	const char *subject = "/C=DE/O=Example Devices/CN=gen-0001";
	unsigned char *csr = NULL, want_id[20];
	size_t csr_len = 0;
	const unsigned char *p;
	X509_REQ *req;
	EVP_PKEY *pub;
	CK_OBJECT_HANDLE priv, pubobj;

	assert_ok(iot_prov_generate(p11, s, type, &labels, subject, &csr, &csr_len));
	p = csr;
	req = d2i_X509_REQ(NULL, &p, (long)csr_len);
	assert_non_null(req);
	pub = X509_REQ_get0_pubkey(req);
	assert_non_null(pub);
	check_csr(csr, csr_len, pub, subject, nid);

	priv = find_one(CKO_PRIVATE_KEY, "gen");
	pubobj = find_one(CKO_PUBLIC_KEY, "gen");
	assert_true(h_get_bool(s, priv, CKA_SENSITIVE));
	assert_false(h_get_bool(s, priv, CKA_EXTRACTABLE));
	assert_true(h_get_bool(s, priv, CKA_TOKEN));
	assert_true(h_get_bool(s, priv, CKA_PRIVATE));
	assert_true(h_get_bool(s, priv, CKA_LOCAL));
	expected_id(pub, want_id);
	h_assert_attr(s, priv, CKA_ID, want_id, 20);
	h_assert_attr(s, pubobj, CKA_ID, want_id, 20);

	/* The same key again, by label. */
	iot_prov_free(csr);
	assert_ok(iot_prov_csr(p11, s, "gen", "CN=again", &csr, &csr_len));
	check_csr(csr, csr_len, pub, "/CN=again", nid);
	assert_rv(iot_prov_check(p11, s, "gen"), CKR_OBJECT_HANDLE_INVALID);
	iot_prov_free(csr);
	X509_REQ_free(req);
	destroy_label("gen");
}

static void test_generate_ec(void **state)
{
	(void)state;
	generate_one(IOT_PROV_EC_P256, NID_ecdsa_with_SHA256);
	generate_one(IOT_PROV_EC_P384, NID_ecdsa_with_SHA384);
	generate_one(IOT_PROV_EC_P521, NID_ecdsa_with_SHA512);
}

static void test_generate_rsa(void **state)
{
	(void)state;
	generate_one(IOT_PROV_RSA_2048, NID_sha256WithRSAEncryption);
	generate_one(IOT_PROV_RSA_3072, NID_sha256WithRSAEncryption);
}

static void test_generate_errors(void **state)
{
	static const char *const bad[] = {
		"", "/", "CN", "/CN", "/XX=1", "C=GBR", "/CN=a/", "CN=a,", "=x", "CN=#0403",
	};
	iot_prov_labels labels = { "gen", NULL };
	iot_prov_labels no_label = { NULL, NULL };
	unsigned char *csr = NULL;
	size_t csr_len = 0, i;
	CK_ULONG before = object_count();

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("subject \"%s\"\n", bad[i]);
		assert_rv(iot_prov_generate(p11, s, IOT_PROV_EC_P256, &labels, bad[i], &csr,
					    &csr_len),
			  CKR_ARGUMENTS_BAD);
		assert_null(csr);
	}
	assert_rv(iot_prov_generate(p11, s, (iot_prov_keytype)99, &labels, "CN=x", &csr, &csr_len),
		  CKR_ARGUMENTS_BAD);
	assert_rv(iot_prov_generate(p11, s, IOT_PROV_EC_P256, &no_label, "CN=x", &csr, &csr_len),
		  CKR_ARGUMENTS_BAD);
	assert_rv(iot_prov_generate(p11, s, IOT_PROV_EC_P256, &labels, NULL, &csr, &csr_len),
		  CKR_ARGUMENTS_BAD);
	/* Nothing was left behind. */
	assert_int_equal(object_count(), before);
	assert_rv(iot_prov_csr(p11, s, "nothing", "CN=x", &csr, &csr_len),
		  CKR_OBJECT_HANDLE_INVALID);
}

/* Both subject syntaxes give the same name; RFC 4514 lists RDNs in reverse. */
static void test_subject_syntaxes(void **state)
{
	static const struct {
		const char *in;
		const char *oneline;
	} cases[] = {
		{ "/C=GB/O=Isode Limited/CN=Steve Kille", "/C=GB/O=Isode Limited/CN=Steve Kille" },
		{ "CN=Steve Kille,O=Isode Limited,C=GB", "/C=GB/O=Isode Limited/CN=Steve Kille" },
		{ "CN=Steve Kille, O=Isode Limited, C=GB", "/C=GB/O=Isode Limited/CN=Steve Kille" },
		/* oneline escapes '+' again; the CN itself is checked below. */
		{ "CN=a\\,b\\2Bc,O=x", "/O=x/CN=a,b\\+c" },
		{ "/O=a\\/b/CN=c", "/O=a\\/b/CN=c" },
		{ "OU=Sales+CN=J. Smith,DC=example", "/DC=example/OU=Sales+CN=J. Smith" },
	};
	iot_prov_labels labels = { "subj", NULL };
	unsigned char *csr = NULL;
	size_t csr_len = 0, i;
	const unsigned char *p;
	X509_REQ *req;

	(void)state;
	assert_ok(
		iot_prov_generate(p11, s, IOT_PROV_EC_P256, &labels, cases[0].in, &csr, &csr_len));
	iot_prov_free(csr);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[256];

		print_message("subject \"%s\"\n", cases[i].in);
		assert_ok(iot_prov_csr(p11, s, "subj", cases[i].in, &csr, &csr_len));
		p = csr;
		req = d2i_X509_REQ(NULL, &p, (long)csr_len);
		assert_non_null(req);
		assert_int_equal(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
		X509_NAME_oneline(X509_REQ_get_subject_name(req), line, sizeof(line));
		assert_string_equal(line, cases[i].oneline);
		if (i == 3) {
			assert_int_equal(X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req),
								   NID_commonName, line,
								   sizeof(line)),
					 5);
			assert_string_equal(line, "a,b+c");
		}
		X509_REQ_free(req);
		iot_prov_free(csr);
	}
}

/* The whole on-token flow: generate, CA signs, import, check. */
static void test_check(void **state)
{
	iot_prov_labels labels = { "device", NULL };
	EVP_PKEY *ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	X509 *ca = make_cert(ca_key, "Test CA", NULL, NULL);
	unsigned char *csr = NULL, *cert, *back = NULL;
	size_t csr_len = 0, cert_len, back_len = 0;
	const unsigned char *p;
	X509_REQ *req;
	X509 *x, *wrong;
	h_tmpl t;
	CK_OBJECT_HANDLE priv, fake;
	unsigned char id[20];
	CK_ULONG id_len;

	(void)state;
	assert_rv(iot_prov_check(p11, s, "device"), CKR_OBJECT_HANDLE_INVALID);
	assert_rv(iot_prov_read_cert(p11, s, "device", &back, &back_len),
		  CKR_OBJECT_HANDLE_INVALID);
	assert_ok(
		iot_prov_generate(p11, s, IOT_PROV_EC_P256, &labels, "/CN=device", &csr, &csr_len));
	assert_rv(iot_prov_check(p11, s, "device"), CKR_OBJECT_HANDLE_INVALID);

	/* A certificate under the key's label and id, for another key. */
	priv = find_one(CKO_PRIVATE_KEY, "device");
	id_len = h_get_bytes(s, priv, CKA_ID, id, sizeof(id));
	wrong = make_cert(ec_key2, "device", NULL, NULL);
	cert = cert_der(wrong, &cert_len);
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_CERTIFICATE);
	t_ulong(&t, CKA_CERTIFICATE_TYPE, CKC_X_509);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_str(&t, CKA_LABEL, "device");
	t_bytes(&t, CKA_ID, id, id_len);
	t_bytes(&t, CKA_VALUE, cert, cert_len);
	fake = h_create(s, &t);
	OPENSSL_free(cert);
	assert_rv(iot_prov_check(p11, s, "device"), CKR_TEMPLATE_INCONSISTENT);
	assert_ok(p11->C_DestroyObject(s, fake));

	/* The CA signs the CSR. */
	p = csr;
	req = d2i_X509_REQ(NULL, &p, (long)csr_len);
	assert_non_null(req);
	x = make_cert(X509_REQ_get0_pubkey(req), "device", ca_key, ca);
	cert = cert_der(x, &cert_len);
	assert_ok(iot_prov_import_cert(p11, s, cert, cert_len, NULL));
	assert_ok(iot_prov_check(p11, s, "device"));
	assert_ok(iot_prov_read_cert(p11, s, "device", &back, &back_len));
	assert_int_equal(back_len, cert_len);
	assert_memory_equal(back, cert, cert_len);
	assert_rv(iot_prov_check(p11, s, "nobody"), CKR_OBJECT_HANDLE_INVALID);
	assert_rv(iot_prov_check(p11, s, NULL), CKR_ARGUMENTS_BAD);

	iot_prov_free(back);
	iot_prov_free(csr);
	OPENSSL_free(cert);
	X509_REQ_free(req);
	X509_free(x);
	X509_free(wrong);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
}

/* PEM text as a FreeRTOS credentials header writes it: one literal per
 * line, joined by backslash continuations. */
static void append_macro(BIO *out, const char *name, const char *pem)
{
	const char *line = pem;

	BIO_printf(out, "/*\n * PEM-encoded %s.\n *\n * #define %s \"...\"\n */\n", name, name);
	BIO_printf(out, "#define %s \\\n", name);
	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		int n = nl ? (int)(nl - line) : (int)strlen(line);

		BIO_printf(out, "    \"%.*s\\n\"%s\n", n, line, nl && nl[1] ? " \\" : "");
		line += n + (nl ? 1 : 0);
	}
	BIO_printf(out, "\n");
}

static void test_header(void **state)
{
	iot_prov_labels labels = { "freertos", NULL };
	X509 *x = make_cert(ec_key, "freertos", NULL, NULL);
	unsigned char *key, *cert;
	size_t key_len, cert_len, text_len;
	char *key_pem = NULL, *cert_out = NULL, *text;
	BIO *out = BIO_new(BIO_s_mem());

	(void)state;
	key = encode_key(ec_key, F_TRAD_PEM, &key_len);
	cert = cert_pem(x, &cert_len);
	BIO_printf(out,
		   "#ifndef AWS_CLIENT_CREDENTIAL_KEYS_H\n#define AWS_CLIENT_CREDENTIAL_KEYS_H\n\n"
		   "#include <stdint.h>\n\n");
	append_macro(out, "keyCLIENT_CERTIFICATE_PEM", (const char *)cert);
	BIO_printf(out, "#define keyJITR_DEVICE_CERTIFICATE_AUTHORITY_PEM  NULL\n\n");
	append_macro(out, "keyCLIENT_PRIVATE_KEY_PEM", (const char *)key);
	BIO_printf(out, "static const char x[] = \"#define keyCLIENT_PRIVATE_KEY_PEM\";\n#endif\n");
	text = (char *)bio_take(out, &text_len);

	assert_ok(iot_prov_parse_header(text, text_len, &key_pem, &cert_out));
	assert_non_null(key_pem);
	assert_non_null(cert_out);
	assert_string_equal(key_pem, (const char *)key);
	assert_string_equal(cert_out, (const char *)cert);
	assert_ok(iot_prov_import(p11, s, key_pem, strlen(key_pem), NULL, cert_out,
				  strlen(cert_out), &labels, NULL, NULL));
	assert_ok(iot_prov_check(p11, s, "freertos"));
	iot_prov_free(key_pem);
	iot_prov_free(cert_out);
	free(text);

	/* One of the two absent (NULL, "" or not defined at all). */
	{
		static const char only_cert[] = "#define keyCLIENT_CERTIFICATE_PEM \"-----BEGIN "
						"CERTIFICATE-----\\n\" \\\n  \"AAAA\\n\"\n"
						"#define keyCLIENT_PRIVATE_KEY_PEM NULL\n";
		static const char only_key[] = "#define keyCLIENT_CERTIFICATE_PEM \"\"\n"
					       "  #  define keyCLIENT_PRIVATE_KEY_PEM "
					       "\"a\\\"b\\\\c\\tq\" \"\\x41\\101\"\n";
		static const char neither[] = "#define keyCLIENT_CERTIFICATE_PEM NULL\n"
					      "/* #define keyCLIENT_PRIVATE_KEY_PEM \"x\" */\n"
					      "// #define keyCLIENT_PRIVATE_KEY_PEM \"x\"\n";
		static const char bad_escape[] = "#define keyCLIENT_PRIVATE_KEY_PEM \"\\q\"\n";
		static const char unterminated[] = "#define keyCLIENT_PRIVATE_KEY_PEM \"abc\n";

		assert_ok(iot_prov_parse_header(only_cert, sizeof(only_cert) - 1, &key_pem,
						&cert_out));
		assert_null(key_pem);
		assert_string_equal(cert_out, "-----BEGIN CERTIFICATE-----\nAAAA\n");
		iot_prov_free(cert_out);
		assert_ok(
			iot_prov_parse_header(only_key, sizeof(only_key) - 1, &key_pem, &cert_out));
		assert_null(cert_out);
		assert_string_equal(key_pem, "a\"b\\c\tqAA");
		iot_prov_free(key_pem);
		assert_rv(iot_prov_parse_header(neither, sizeof(neither) - 1, &key_pem, &cert_out),
			  CKR_ARGUMENTS_BAD);
		assert_null(key_pem);
		assert_null(cert_out);
		assert_rv(iot_prov_parse_header(bad_escape, sizeof(bad_escape) - 1, &key_pem,
						&cert_out),
			  CKR_ARGUMENTS_BAD);
		assert_rv(iot_prov_parse_header(unterminated, sizeof(unterminated) - 1, &key_pem,
						&cert_out),
			  CKR_ARGUMENTS_BAD);
		assert_rv(iot_prov_parse_header("", 0, &key_pem, &cert_out), CKR_ARGUMENTS_BAD);
		assert_rv(iot_prov_parse_header(NULL, 0, &key_pem, &cert_out), CKR_ARGUMENTS_BAD);
	}
	free(key);
	free(cert);
	X509_free(x);
}

static void test_rv_name(void **state)
{
	(void)state;
	assert_string_equal(iot_prov_rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
	assert_string_equal(iot_prov_rv_name(CKR_OK), "CKR_OK");
	assert_string_equal(iot_prov_rv_name(CKR_FUNCTION_REJECTED), "CKR_FUNCTION_REJECTED");
	assert_string_equal(iot_prov_rv_name(CKR_TEMPLATE_INCONSISTENT),
			    "CKR_TEMPLATE_INCONSISTENT");
	assert_string_equal(iot_prov_rv_name(0x4242), "CKR_0x4242");
	assert_string_equal(iot_prov_rv_name(CKR_VENDOR_DEFINED + 1), "CKR_VENDOR_DEFINED+0x1");
	iot_prov_free(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_import_ec_formats),
		T(test_import_rsa_formats),
		T(test_import_mismatch),
		T(test_import_bad_input),
		T(test_import_cert_later),
		T(test_generate_ec),
		T(test_generate_rsa),
		T(test_generate_errors),
		T(test_subject_syntaxes),
		T(test_check),
		T(test_header),
		cmocka_unit_test(test_rv_name),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
