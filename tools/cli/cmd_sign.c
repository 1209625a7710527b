/* sign and verify a file with a chosen mechanism (C_Sign, C_Verify). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* clang-format off */
static const struct mech {
	const char *name;
	CK_MECHANISM_TYPE type;
	bool ecdsa;
	CK_MECHANISM_TYPE pss_hash; /* 0: not PSS */
	CK_RSA_PKCS_MGF_TYPE mgf;
	CK_ULONG salt;
} mechs[] = {
	{ "ECDSA", CKM_ECDSA, true, 0, 0, 0 },
	{ "ECDSA-SHA1", CKM_ECDSA_SHA1, true, 0, 0, 0 },
	{ "ECDSA-SHA224", CKM_ECDSA_SHA224, true, 0, 0, 0 },
	{ "ECDSA-SHA256", CKM_ECDSA_SHA256, true, 0, 0, 0 },
	{ "ECDSA-SHA384", CKM_ECDSA_SHA384, true, 0, 0, 0 },
	{ "ECDSA-SHA512", CKM_ECDSA_SHA512, true, 0, 0, 0 },
	{ "RSA-PKCS", CKM_RSA_PKCS, false, 0, 0, 0 },
	{ "SHA1-RSA-PKCS", CKM_SHA1_RSA_PKCS, false, 0, 0, 0 },
	{ "SHA224-RSA-PKCS", CKM_SHA224_RSA_PKCS, false, 0, 0, 0 },
	{ "SHA256-RSA-PKCS", CKM_SHA256_RSA_PKCS, false, 0, 0, 0 },
	{ "SHA384-RSA-PKCS", CKM_SHA384_RSA_PKCS, false, 0, 0, 0 },
	{ "SHA512-RSA-PKCS", CKM_SHA512_RSA_PKCS, false, 0, 0, 0 },
	{ "SHA1-RSA-PKCS-PSS", CKM_SHA1_RSA_PKCS_PSS, false, CKM_SHA_1, CKG_MGF1_SHA1, 20 },
	{ "SHA224-RSA-PKCS-PSS", CKM_SHA224_RSA_PKCS_PSS, false, CKM_SHA224, CKG_MGF1_SHA224, 28 },
	{ "SHA256-RSA-PKCS-PSS", CKM_SHA256_RSA_PKCS_PSS, false, CKM_SHA256, CKG_MGF1_SHA256, 32 },
	{ "SHA384-RSA-PKCS-PSS", CKM_SHA384_RSA_PKCS_PSS, false, CKM_SHA384, CKG_MGF1_SHA384, 48 },
	{ "SHA512-RSA-PKCS-PSS", CKM_SHA512_RSA_PKCS_PSS, false, CKM_SHA512, CKG_MGF1_SHA512, 64 },
};
/* clang-format on */

static const struct mech *mech_find(const char *cmd, const char *name)
{
	if (!name)
		die_usage(cmd, "-m MECH is required");
	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strcasecmp(mechs[i].name, name) == 0)
			return &mechs[i];
	die_usage(cmd, "unknown mechanism '%s'", name);
	return NULL;
}

static bool der_format(const char *cmd, const char *format)
{
	if (!format || strcmp(format, "raw") == 0)
		return false;
	if (strcmp(format, "der") == 0)
		return true;
	die_usage(cmd, "--format is raw or der");
	return false;
}

struct op {
	struct p11 p;
	struct objsel sel;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM m;
	CK_RSA_PKCS_PSS_PARAMS pss;
	unsigned char *in;
	size_t in_len;
};

/* Reads -i, finds the key of class cls named by --key, sets up the mechanism. */
static bool op_open(struct op *op, const struct opts *o, const char *cmd, const struct mech *mc,
		    CK_OBJECT_CLASS cls)
{
	memset(op, 0, sizeof(*op));
	if (!o->key)
		die_usage(cmd, "--key LABEL|URI is required");
	if (!o->in)
		die_usage(cmd, "-i FILE is required");
	if (!objsel_from_opts(&op->sel, o, o->key, cmd))
		return false;
	/* A URI naming the private key also names its public key for verify. */
	op->sel.has_class = false;
	if (!file_read(o->in, &op->in, &op->in_len))
		return false;
	op->m.mechanism = mc->type;
	if (mc->pss_hash) {
		op->pss.hashAlg = mc->pss_hash;
		op->pss.mgf = mc->mgf;
		op->pss.sLen = mc->salt;
		op->m.pParameter = &op->pss;
		op->m.ulParameterLen = sizeof(op->pss);
	}
	return p11_load(&op->p, o) && p11_pick_slot(&op->p, o, op->sel.uri.token) &&
	       p11_open(&op->p, o, cls == CKO_PRIVATE_KEY ? LOGIN_USER : LOGIN_USER_OPT) &&
	       obj_find_one(&op->p, &op->sel, cls, &op->key);
}

static void op_close(struct op *op)
{
	free(op->in);
	objsel_free(&op->sel);
	p11_unload(&op->p);
}

int cmd_sign(const struct opts *o)
{
	const struct mech *mc = mech_find("sign", o->mech);
	bool der = der_format("sign", o->format);
	struct op op;
	unsigned char *sig = NULL, *dsig = NULL;
	CK_ULONG n = 0;
	size_t dlen = 0;
	CK_RV rv;
	int ret = 1;

	if (!o->out)
		die_usage("sign", "-o FILE is required");
	if (der && !mc->ecdsa)
		die_usage("sign", "--format der is for ECDSA signatures");
	if (!op_open(&op, o, "sign", mc, CKO_PRIVATE_KEY))
		goto out;
	rv = op.p.f->C_SignInit(op.p.session, &op.m, op.key);
	if (rv == CKR_OK)
		rv = op.p.f->C_Sign(op.p.session, op.in, op.in_len, NULL, &n);
	if (rv == CKR_OK && (n == 0 || n > 8192))
		rv = CKR_FUNCTION_FAILED;
	if (rv == CKR_OK) {
		sig = malloc(n);
		rv = sig ? op.p.f->C_Sign(op.p.session, op.in, op.in_len, sig, &n)
			 : CKR_HOST_MEMORY;
	}
	if (rv != CKR_OK) {
		report_rv(&op.p, "sign", rv, NULL);
		goto out;
	}
	if (der) {
		if (!ecdsa_raw_to_der(sig, n, &dsig, &dlen)) {
			errmsg("sign: the token's ECDSA signature is not r||s");
			goto out;
		}
		if (!file_write(o->out, dsig, dlen))
			goto out;
	} else if (!file_write(o->out, sig, n)) {
		goto out;
	}
	ret = 0;
out:
	free(sig);
	OPENSSL_free(dsig);
	op_close(&op);
	return ret;
}

int cmd_verify(const struct opts *o)
{
	const struct mech *mc = mech_find("verify", o->mech);
	bool der = der_format("verify", o->format);
	struct op op;
	unsigned char *sig = NULL, *raw = NULL;
	size_t sig_len = 0, raw_len = 0;
	EVP_PKEY *pub = NULL;
	CK_RV rv;
	int ret = 1;

	if (!o->signature)
		die_usage("verify", "--signature FILE is required");
	if (der && !mc->ecdsa)
		die_usage("verify", "--format der is for ECDSA signatures");
	if (!file_read(o->signature, &sig, &sig_len))
		return 1;
	if (!op_open(&op, o, "verify", mc, CKO_PUBLIC_KEY))
		goto out;
	if (der) {
		pub = obj_pubkey_from_attrs(&op.p, op.key);
		if (!pub ||
		    !ecdsa_der_to_raw(sig, sig_len, (size_t)(EVP_PKEY_get_bits(pub) + 7) / 8, &raw,
				      &raw_len)) {
			errmsg("verify: %s is not a DER ECDSA signature for this key",
			       o->signature);
			goto out;
		}
	}
	rv = op.p.f->C_VerifyInit(op.p.session, &op.m, op.key);
	if (rv == CKR_OK)
		rv = op.p.f->C_Verify(op.p.session, op.in, op.in_len, der ? raw : sig,
				      der ? raw_len : sig_len);
	if (rv != CKR_OK) {
		report_rv(&op.p, "verify", rv, NULL);
		goto out;
	}
	printf("Signature verified\n");
	ret = 0;
out:
	EVP_PKEY_free(pub);
	free(raw);
	free(sig);
	op_close(&op);
	return ret;
}
