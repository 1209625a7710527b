/*
 * iotoken: command-line dispatch, options and help. Every command accepts
 * the common options (--module) plus its own; an option another command
 * uses is refused rather than silently ignored.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include <openssl/crypto.h>

struct command {
	const char *name;
	int (*run)(const struct opts *o);
	const char *opts; /* the long options it takes, space-separated */
	const char *usage;
	const char *help;
};

#define TOKEN_SEL "slot token "
#define OBJ_SEL "label id uri type "

static const struct command commands[] = {
	{ "slots", cmd_slots, "json ", "iotoken slots [--json]",
	  "Lists the module's slots and their tokens: slot id, label, serial, flags, and\n"
	  "whether the token is initialized.\n" },
	{ "info", cmd_info, TOKEN_SEL "json ", "iotoken info [--slot N|--token LABEL] [--json]",
	  "Shows a token's information: labels, serial, flags, whether the user PIN is\n"
	  "initialized, and the PIN flags (COUNT_LOW, FINAL_TRY, LOCKED) of both PINs.\n" },
	{ "init", cmd_init, "slot label so-pin ", "iotoken init --label LABEL [--slot N]",
	  "Initializes a token with a label and an SO PIN (--so-pin, IOTOKEN_SO_PIN or a\n"
	  "prompt). Without --slot: the first slot whose token is not initialized.\n"
	  "On an initialized token (--slot) every object is destroyed.\n" },
	{ "set-pin", cmd_set_pin, TOKEN_SEL "so-pin new-pin ",
	  "iotoken set-pin [--slot N|--token LABEL]",
	  "The SO sets (or resets, unlocking it) the user PIN: needs the SO PIN (--so-pin,\n"
	  "IOTOKEN_SO_PIN or a prompt) and the new user PIN (--new-pin, IOTOKEN_NEW_PIN or\n"
	  "a prompt).\n" },
	{ "change-pin", cmd_change_pin, TOKEN_SEL "so pin so-pin new-pin ",
	  "iotoken change-pin [--so] [--slot N|--token LABEL]",
	  "Changes the user PIN (or the SO PIN with --so): the old one from --pin /\n"
	  "IOTOKEN_PIN (--so-pin / IOTOKEN_SO_PIN with --so) or a prompt, the new one from\n"
	  "--new-pin / IOTOKEN_NEW_PIN or a prompt.\n" },
	{ "import", cmd_import, TOKEN_SEL "pin key cert header passphrase-env label cert-label ",
	  "iotoken import (--key FILE [--cert FILE] | --header FILE | --cert FILE) --label L",
	  "Imports a private key (PEM or DER; PKCS#8, encrypted PKCS#8, SEC1, PKCS#1; EC\n"
	  "or RSA) and optionally its certificate; or both from a FreeRTOS credentials\n"
	  "header (keyCLIENT_PRIVATE_KEY_PEM, keyCLIENT_CERTIFICATE_PEM); or only a\n"
	  "certificate for a key already in the token. Key and certificate get the same\n"
	  "CKA_ID (SHA-1 of the public key); the certificate's label is --cert-label or\n"
	  "--label. A certificate that is not the key's is refused and nothing is\n"
	  "imported. The passphrase of an encrypted key comes from the environment\n"
	  "variable named by --passphrase-env, else a prompt.\n" },
	{ "keygen", cmd_keygen, TOKEN_SEL "pin type label subject out der ",
	  "iotoken keygen --type TYPE --label L [--subject DN -o CSR [--der]]",
	  "Generates a key pair in the token (the private key sensitive and never\n"
	  "extractable). TYPE: ec-p256, ec-p384, ec-p521, rsa-2048, rsa-3072, rsa-4096.\n"
	  "With -o, also writes a PKCS#10 request for --subject (default /CN=LABEL).\n" },
	{ "csr", cmd_csr, TOKEN_SEL "pin key subject out der ",
	  "iotoken csr --key LABEL|URI --subject DN [-o FILE] [--der]",
	  "Writes a PKCS#10 certificate request for a key in the token, signed through\n"
	  "C_Sign (ECDSA with SHA-256/384/512 by curve, RSA PKCS#1 v1.5 with SHA-256).\n"
	  "DN: \"/CN=x/O=y\" or RFC 4514 \"CN=x,O=y\". PEM unless --der; stdout unless -o.\n" },
	{ "selfsign", cmd_selfsign, TOKEN_SEL "pin key subject days out der store label ",
	  "iotoken selfsign --key LABEL|URI --subject DN [--days N] [-o FILE] [--store]",
	  "Writes a self-signed X.509 v3 certificate (default 365 days) for a key in the\n"
	  "token, signed through C_Sign. --store also stores it in the token beside the\n"
	  "key (same CKA_ID; label --label, else the key's label).\n" },
	{ "list", cmd_list, TOKEN_SEL "pin json ", "iotoken list [--json]",
	  "Lists the token's objects: class, label, id, key type and size, flags and the\n"
	  "RFC 7512 pkcs11: URI of each. Logs in when a user PIN is available (--pin,\n"
	  "IOTOKEN_PIN or a prompt); otherwise only public objects are listed.\n" },
	{ "export", cmd_export, TOKEN_SEL "pin " OBJ_SEL "out der ",
	  "iotoken export (--label L|--id HEX|--uri U) --type cert|pubkey [-o FILE] [--der]",
	  "Writes a certificate or a public key (SubjectPublicKeyInfo) as PEM (DER with\n"
	  "--der) to -o or stdout.\n" },
	{ "delete", cmd_delete, TOKEN_SEL "pin " OBJ_SEL "yes ",
	  "iotoken delete (--label L|--id HEX|--uri U) [--type T] [--yes]",
	  "Destroys every matching object (T: private, public, cert, data, secret-key).\n"
	  "Asks for confirmation on a terminal; elsewhere --yes is required.\n" },
	{ "sign", cmd_sign, TOKEN_SEL "pin key mech in out format ",
	  "iotoken sign --key LABEL|URI -m MECH -i FILE -o FILE [--format raw|der]",
	  "Signs a file with C_Sign. MECH: ECDSA (input: a hash), ECDSA-SHA1/224/256/384/512,\n"
	  "RSA-PKCS (input: a DigestInfo), SHA1/224/256/384/512-RSA-PKCS,\n"
	  "SHA1/224/256/384/512-RSA-PKCS-PSS (salt: the hash length). ECDSA signatures are\n"
	  "r||s (raw, the default) or DER (--format der, as openssl dgst expects).\n" },
	{ "verify", cmd_verify, TOKEN_SEL "pin key mech in signature format ",
	  "iotoken verify --key LABEL|URI -m MECH -i FILE --signature FILE [--format raw|der]",
	  "Verifies a signature with C_Verify and the public key object of --key. Exit 0\n"
	  "when valid, 1 (CKR_SIGNATURE_INVALID) when not.\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char common_help[] =
	"Common options:\n"
	"  --module PATH     PKCS#11 module (default: IOTOKEN_MODULE, else " IOTOKEN_DEFAULT_MODULE
	")\n"
	"  --slot N          slot id; --token LABEL: the token with that label\n"
	"  --pin PIN         user PIN (better: IOTOKEN_PIN, or the prompt on a terminal)\n"
	"  --so-pin PIN      SO PIN (better: IOTOKEN_SO_PIN, or the prompt)\n"
	"  --new-pin PIN     new PIN for set-pin/change-pin (IOTOKEN_NEW_PIN, or the prompt)\n"
	"  --label L, --id HEX, --uri pkcs11:...   select objects (URI: RFC 7512; token=,\n"
	"                    object=, id=, type=; pin-value= is refused: use IOTOKEN_PIN)\n"
	"  -h, --help        this help\n";

static const struct option longopts[] = {
	{ "module", required_argument, NULL, 'M' },
	{ "slot", required_argument, NULL, 'S' },
	{ "token", required_argument, NULL, 'T' },
	{ "pin", required_argument, NULL, 'P' },
	{ "so-pin", required_argument, NULL, 'Q' },
	{ "new-pin", required_argument, NULL, 'N' },
	{ "so", no_argument, NULL, 'Z' },
	{ "json", no_argument, NULL, 'j' },
	{ "label", required_argument, NULL, 'l' },
	{ "cert-label", required_argument, NULL, 'L' },
	{ "id", required_argument, NULL, 'd' },
	{ "uri", required_argument, NULL, 'u' },
	{ "key", required_argument, NULL, 'k' },
	{ "cert", required_argument, NULL, 'c' },
	{ "header", required_argument, NULL, 'H' },
	{ "passphrase-env", required_argument, NULL, 'E' },
	{ "type", required_argument, NULL, 't' },
	{ "subject", required_argument, NULL, 's' },
	{ "days", required_argument, NULL, 'D' },
	{ "out", required_argument, NULL, 'o' },
	{ "in", required_argument, NULL, 'i' },
	{ "signature", required_argument, NULL, 'g' },
	{ "mech", required_argument, NULL, 'm' },
	{ "format", required_argument, NULL, 'f' },
	{ "der", no_argument, NULL, 'R' },
	{ "store", no_argument, NULL, 'X' },
	{ "yes", no_argument, NULL, 'y' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *progname = "iotoken";

void errmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void die_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see: iotoken help %s)\n", cmd ? cmd : "");
	exit(2);
}

void wipe(void *p, size_t n)
{
	if (p)
		OPENSSL_cleanse(p, n);
}

void wipe_str(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
}

static void usage_all(FILE *f)
{
	fprintf(f, "Usage: iotoken [--module PATH] COMMAND [options]\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\n%s\n'iotoken help COMMAND' or 'iotoken COMMAND --help' for details.\n",
		common_help);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage_command(const struct command *c)
{
	printf("Usage: %s\n\n%s\n%s", c->usage, c->help, common_help);
}

static bool takes(const struct command *c, const char *opt)
{
	size_t n = strlen(opt);

	if (strcmp(opt, "module") == 0 || strcmp(opt, "help") == 0)
		return true;
	for (const char *p = c->opts; (p = strstr(p, opt)) != NULL; p += n)
		if ((p == c->opts || p[-1] == ' ') && p[n] == ' ')
			return true;
	return false;
}

static bool parse_ulong(const char *s, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno == 0 && *end == '\0';
}

static int parse(const struct command *c, int argc, char **argv, struct opts *o)
{
	int ch, idx;
	unsigned long v;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+ho:i:m:", longopts, &idx)) != -1) {
		const char *name = NULL;

		if (ch == '?')
			die_usage(c->name, "unknown option or missing value: %s", argv[optind - 1]);
		for (const struct option *lo = longopts; lo->name; lo++)
			if (lo->val == ch)
				name = lo->name;
		if (name && !takes(c, name))
			die_usage(c->name, "option --%s does not apply", name);
		switch (ch) {
		case 'h':
			usage_command(c);
			exit(0);
		case 'M':
			o->module = optarg;
			break;
		case 'S':
			if (!parse_ulong(optarg, &v))
				die_usage(c->name, "--slot needs a number, not '%s'", optarg);
			o->has_slot = true;
			o->slot = v;
			break;
		case 'T':
			o->token = optarg;
			break;
		case 'P':
			o->pin = optarg;
			break;
		case 'Q':
			o->so_pin = optarg;
			break;
		case 'N':
			o->new_pin = optarg;
			break;
		case 'Z':
			o->so = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'L':
			o->cert_label = optarg;
			break;
		case 'd':
			o->id_hex = optarg;
			break;
		case 'u':
			o->uri = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'c':
			o->cert = optarg;
			break;
		case 'H':
			o->header = optarg;
			break;
		case 'E':
			o->passphrase_env = optarg;
			break;
		case 't':
			o->type = optarg;
			break;
		case 's':
			o->subject = optarg;
			break;
		case 'D':
			if (!parse_ulong(optarg, &v) || v < 1 || v > 36500)
				die_usage(c->name, "--days needs a number from 1 to 36500");
			o->days = (long)v;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'i':
			o->in = optarg;
			break;
		case 'g':
			o->signature = optarg;
			break;
		case 'm':
			o->mech = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'R':
			o->der = true;
			break;
		case 'X':
			o->store = true;
			break;
		case 'y':
			o->yes = true;
			break;
		default:
			die_usage(c->name, "unexpected option");
		}
	}
	o->nargs = argc - optind;
	o->args = argv + optind;
	if (o->nargs > 0)
		die_usage(c->name, "unexpected argument '%s'", o->args[0]);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const struct command *c;
	int i = 1;

	/* Options before the command: only --module and --help. */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage_all(stdout);
			return 0;
		} else if (strcmp(argv[i], "--module") == 0 && i + 1 < argc) {
			o.module = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--module=", 9) == 0) {
			o.module = argv[i] + 9;
			i++;
		} else {
			usage_all(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage_all(stderr);
		return 2;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 >= argc) {
			usage_all(stdout);
			return 0;
		}
		c = find_command(argv[i + 1]);
		if (!c) {
			errmsg("no command '%s' (iotoken help lists them)", argv[i + 1]);
			return 2;
		}
		usage_command(c);
		return 0;
	}
	c = find_command(argv[i]);
	if (!c) {
		errmsg("no command '%s' (iotoken help lists them)", argv[i]);
		return 2;
	}
	parse(c, argc - i, argv + i, &o);
	if (!o.module)
		o.module = getenv("IOTOKEN_MODULE");
	if (!o.module || !*o.module)
		o.module = IOTOKEN_DEFAULT_MODULE;
	return c->run(&o);
}
