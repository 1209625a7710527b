/*
 * csr and selfsign: a PKCS#10 request or a self-signed X.509 v3 certificate
 * for a key in the token. OpenSSL builds the structures; the token signs the
 * to-be-signed encoding through C_Sign (tsign.c); the result is decoded again
 * and verified with the key's public key before it is written.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotoken/provision.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

struct keyctx {
	struct p11 p;
	struct objsel sel;
	CK_OBJECT_HANDLE key;
	EVP_PKEY *pub;
	X509_NAME *subject;
};

/* The token, the private key named by --key, its public key, the subject.
 * Prints on failure. */
static bool key_open(struct keyctx *k, const struct opts *o, const char *cmd)
{
	char err[160];

	memset(k, 0, sizeof(*k));
	if (!o->key)
		die_usage(cmd, "--key LABEL|URI is required");
	if (!o->subject)
		die_usage(cmd, "--subject is required (\"/CN=x/O=y\" or \"CN=x,O=y\")");
	k->subject = subject_parse(o->subject, err, sizeof(err));
	if (!k->subject) {
		errmsg("%s: bad --subject: %s", cmd, err);
		return false;
	}
	if (!objsel_from_opts(&k->sel, o, o->key, cmd))
		return false;
	if (!p11_load(&k->p, o) || !p11_pick_slot(&k->p, o, k->sel.uri.token) ||
	    !p11_open(&k->p, o, LOGIN_USER) ||
	    !obj_find_one(&k->p, &k->sel, CKO_PRIVATE_KEY, &k->key))
		return false;
	k->pub = obj_public_key(&k->p, k->key);
	if (!k->pub) {
		errmsg("no public key found for this private key (no public key object or "
		       "certificate with its CKA_ID)");
		return false;
	}
	if (tsign_nid(k->pub) == NID_undef) {
		errmsg("only EC and RSA keys can sign requests and certificates");
		return false;
	}
	return true;
}

static void key_close(struct keyctx *k)
{
	EVP_PKEY_free(k->pub);
	X509_NAME_free(k->subject);
	objsel_free(&k->sel);
	p11_unload(&k->p);
}

/* The signature's BIT STRING: all bits used (no "unused bits" guessing from
 * trailing zero bits, which would corrupt signatures that end in one). */
static bool set_bits(ASN1_BIT_STRING *bs, const unsigned char *sig, size_t len)
{
	if (ASN1_BIT_STRING_set(bs, (unsigned char *)sig, (int)len) != 1)
		return false;
	bs->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	bs->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	return true;
}

static int param_type(int nid)
{
	/* RFC 4055 2.1: sha256WithRSAEncryption has NULL parameters; RFC 5758 3.2:
	 * ECDSA's are absent. */
	return nid == NID_sha256WithRSAEncryption ? V_ASN1_NULL : V_ASN1_UNDEF;
}

static bool write_pem_or_der(const char *path, int (*pem)(BIO *, const void *),
			     const unsigned char *der, size_t der_len, const void *obj, bool as_der)
{
	BIO *b;
	char *data;
	long n;
	bool ok;

	if (as_der)
		return file_write(path, der, der_len);
	b = BIO_new(BIO_s_mem());
	ok = b && pem(b, obj) == 1;
	if (ok) {
		n = BIO_get_mem_data(b, &data);
		ok = file_write(path, data, (size_t)n);
	}
	BIO_free(b);
	return ok;
}

static int pem_req(BIO *b, const void *obj)
{
	return PEM_write_bio_X509_REQ(b, (X509_REQ *)obj);
}

static int pem_cert(BIO *b, const void *obj)
{
	return PEM_write_bio_X509(b, (X509 *)obj);
}

int cmd_csr(const struct opts *o)
{
	struct keyctx k;
	X509_REQ *req = X509_REQ_new(), *back = NULL;
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_BIT_STRING *bs = ASN1_BIT_STRING_new();
	unsigned char *tbs = NULL, *sig = NULL, *der = NULL;
	const unsigned char *c;
	size_t sig_len = 0;
	int tbs_len, der_len, nid;
	CK_RV rv;
	int ret = 1;

	if (!key_open(&k, o, "csr"))
		goto out;
	if (!req || !alg || !bs || !X509_REQ_set_version(req, 0) ||
	    !X509_REQ_set_subject_name(req, k.subject) || !X509_REQ_set_pubkey(req, k.pub) ||
	    (tbs_len = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0) {
		errmsg("csr: OpenSSL could not build the request");
		goto out;
	}
	rv = tsign_x509(&k.p, k.key, k.pub, tbs, (size_t)tbs_len, &sig, &sig_len, &nid);
	if (rv != CKR_OK) {
		report_rv(&k.p, "signing the request", rv, NULL);
		goto out;
	}
	if (!X509_ALGOR_set0(alg, OBJ_nid2obj(nid), param_type(nid), NULL) ||
	    !X509_REQ_set1_signature_algo(req, alg) || !set_bits(bs, sig, sig_len)) {
		errmsg("csr: OpenSSL could not build the request");
		goto out;
	}
	X509_REQ_set0_signature(req, bs);
	bs = NULL;
	der_len = i2d_X509_REQ(req, &der);
	c = der;
	if (der_len <= 0 || !(back = d2i_X509_REQ(NULL, &c, der_len)) ||
	    X509_REQ_verify(back, k.pub) != 1) {
		errmsg("csr: the token's signature does not verify with the key's public key");
		goto out;
	}
	if (!write_pem_or_der(o->out, pem_req, der, (size_t)der_len, back, o->der))
		goto out;
	if (o->out)
		fprintf(stderr, "CSR for key '%s' written to %s\n", o->key, o->out);
	ret = 0;
out:
	OPENSSL_free(tbs);
	OPENSSL_free(der);
	free(sig);
	ASN1_BIT_STRING_free(bs);
	X509_ALGOR_free(alg);
	X509_REQ_free(req);
	X509_REQ_free(back);
	key_close(&k);
	return ret;
}

static bool add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	bool ok = ext && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok;
}

/* Version 3, random positive 127-bit serial, validity now .. now + days,
 * issuer = subject, and the extensions of an end-entity certificate. */
static bool build_cert(X509 *x, const struct keyctx *k, long days)
{
	unsigned char rnd[16];
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	X509V3_CTX ctx;
	bool ok;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return false;
	rnd[0] &= 0x7f;
	rnd[0] |= 0x40; /* no leading zero byte: always 16 bytes */
	bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	ok = serial && X509_set_version(x, 2) && X509_set_serialNumber(x, serial) &&
	     X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
	     X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) &&
	     X509_set_subject_name(x, k->subject) && X509_set_issuer_name(x, k->subject) &&
	     X509_set_pubkey(x, k->pub);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	if (!ok)
		return false;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	return add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
	       add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") &&
	       add_ext(x, &ctx, NID_subject_key_identifier, "hash") &&
	       add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
}

static bool store_cert(struct keyctx *k, const struct opts *o, const unsigned char *der, size_t len)
{
	unsigned char *label = NULL;
	size_t label_len = 0;
	const char *use = o->label;
	CK_RV rv;

	if (!use) {
		if (obj_attr(&k->p, k->key, CKA_LABEL, &label, &label_len) != CKR_OK ||
		    label_len == 0) {
			free(label);
			errmsg("selfsign: the key has no label: give --label for the certificate");
			return false;
		}
		use = (const char *)label;
	}
	rv = iot_prov_import_cert(k->p.f, k->p.session, der, len, use);
	if (rv != CKR_OK)
		report_rv(&k->p, "storing the certificate", rv, NULL);
	else
		fprintf(stderr, "Certificate stored in token '%s' as '%s'\n", k->p.token_label,
			use);
	free(label);
	return rv == CKR_OK;
}

int cmd_selfsign(const struct opts *o)
{
	struct keyctx k;
	X509 *x = X509_new(), *back = NULL;
	const ASN1_BIT_STRING *psig;
	const X509_ALGOR *palg;
	unsigned char *tbs = NULL, *sig = NULL, *der = NULL;
	const unsigned char *c;
	size_t sig_len = 0;
	int tbs_len, der_len, nid;
	CK_RV rv;
	int ret = 1;

	if (o->label && !o->store)
		die_usage("selfsign", "--label names the stored certificate: give --store too");
	if (!key_open(&k, o, "selfsign"))
		goto out;
	nid = tsign_nid(k.pub);
	/* The signature algorithm is inside the signed part too (tbsCertificate
	 * .signature): set it before encoding, the outer one after signing. */
	if (!x || !build_cert(x, &k, o->days ? o->days : 365) ||
	    !X509_ALGOR_set0((X509_ALGOR *)X509_get0_tbs_sigalg(x), OBJ_nid2obj(nid),
			     param_type(nid), NULL) ||
	    (tbs_len = i2d_re_X509_tbs(x, &tbs)) <= 0) {
		errmsg("selfsign: OpenSSL could not build the certificate");
		goto out;
	}
	rv = tsign_x509(&k.p, k.key, k.pub, tbs, (size_t)tbs_len, &sig, &sig_len, &nid);
	if (rv != CKR_OK) {
		report_rv(&k.p, "signing the certificate", rv, NULL);
		goto out;
	}
	X509_get0_signature(&psig, &palg, x);
	if (!X509_ALGOR_set0((X509_ALGOR *)palg, OBJ_nid2obj(nid), param_type(nid), NULL) ||
	    !set_bits((ASN1_BIT_STRING *)psig, sig, sig_len)) {
		errmsg("selfsign: OpenSSL could not build the certificate");
		goto out;
	}
	der_len = i2d_X509(x, &der);
	c = der;
	if (der_len <= 0 || !(back = d2i_X509(NULL, &c, der_len)) ||
	    X509_verify(back, k.pub) != 1) {
		errmsg("selfsign: the token's signature does not verify with the key's public key");
		goto out;
	}
	if (!write_pem_or_der(o->out, pem_cert, der, (size_t)der_len, back, o->der))
		goto out;
	if (o->store && !store_cert(&k, o, der, (size_t)der_len))
		goto out;
	ret = 0;
out:
	OPENSSL_free(tbs);
	OPENSSL_free(der);
	free(sig);
	X509_free(x);
	X509_free(back);
	key_close(&k);
	return ret;
}
