/*
 * Harness of the API tests (see harness.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "iotoken/provision.h"

CK_FUNCTION_LIST_PTR p11;
void *h_module;
char h_dir[H_DIR_MAX];
char h_store[H_DIR_MAX + 16];
char h_conf[H_DIR_MAX + 16];
CK_SLOT_ID h_slot;

/* Names come from the provisioning library's table (iotoken/provision.h), the one
 * place that lists every CKR_* of v2.40. */
const char *h_rv_name(CK_RV rv)
{
	return iot_prov_rv_name(rv);
}

void h_load(void)
{
	CK_C_GetFunctionList get_list;
	const char *path;
	CK_RV rv;

	if (p11 != NULL)
		return;
	path = getenv("IOTOKEN_MODULE");
	if (path == NULL || *path == '\0')
		fail_msg("IOTOKEN_MODULE is not set");
	h_module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h_module == NULL)
		fail_msg("dlopen(%s): %s", path, dlerror());
	*(void **)&get_list = dlsym(h_module, "C_GetFunctionList");
	if (get_list == NULL)
		fail_msg("C_GetFunctionList not exported: %s", dlerror());
	rv = get_list(&p11);
	if (rv != CKR_OK || p11 == NULL)
		fail_msg("C_GetFunctionList: %s", h_rv_name(rv));
}

int h_store_files(void)
{
	const char *v = getenv("IOTOKEN_TEST_STORE");

	return v != NULL && strcmp(v, "files") == 0;
}

int h_device(void)
{
	const char *v = getenv("IOTOKEN_TEST_DEVICE");

	return v != NULL && strcmp(v, "1") == 0;
}

void h_skip_on_device(void)
{
	if (h_device())
		skip();
}

void h_write_conf(const char *extra)
{
	FILE *f;

	f = fopen(h_conf, "w");
	if (f == NULL)
		fail_msg("cannot write %s: %s", h_conf, strerror(errno));
	fprintf(f, "dir = %s\npbkdf2_iterations = 1000\n", h_store);
	if (h_store_files())
		fputs("store = files\n", f);
	if (extra != NULL)
		fputs(extra, f);
	if (fclose(f) != 0)
		fail_msg("cannot write %s", h_conf);
}

static void scratch_create(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(h_dir, sizeof(h_dir), "%s/iotoken-api-XXXXXX", tmp);
	if (mkdtemp(h_dir) == NULL)
		fail_msg("mkdtemp(%s): %s", h_dir, strerror(errno));
	snprintf(h_store, sizeof(h_store), "%s/store", h_dir);
	snprintf(h_conf, sizeof(h_conf), "%s/iotoken.conf", h_dir);
	h_write_conf(NULL);
	if (setenv("IOTOKEN_CONF", h_conf, 1) != 0)
		fail_msg("setenv failed");
}

int h_setup(void **state)
{
	(void)state;
	h_load();
	scratch_create();
	h_slot = (CK_SLOT_ID)-1;
	return 0;
}

int h_setup_init(void **state)
{
	h_setup(state);
	h_initialize();
	return 0;
}

int h_setup_token(void **state)
{
	h_setup_init(state);
	h_slot = h_init_token(H_LABEL);
	h_init_user_pin(h_slot);
	return 0;
}

int h_teardown(void **state)
{
	(void)state;
	if (p11 != NULL)
		(void)p11->C_Finalize(NULL);
	if (h_dir[0] != '\0')
		h_rmtree(h_dir);
	h_dir[0] = '\0';
	return 0;
}

void h_rmtree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[PATH_MAX];

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		(void)chmod(path, 0700);
		d = opendir(path);
		if (d != NULL) {
			while ((e = readdir(d)) != NULL) {
				if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
					continue;
				int r = snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);

				if (r > 0 && (size_t)r < sizeof(sub))
					h_rmtree(sub);
			}
			closedir(d);
		}
		(void)rmdir(path);
	} else {
		(void)unlink(path);
	}
}

void h_initialize(void)
{
	assert_ok(p11->C_Initialize(NULL));
}

void h_finalize(void)
{
	assert_ok(p11->C_Finalize(NULL));
}

void h_reinit(void)
{
	h_finalize();
	h_initialize();
}

void h_pad(CK_UTF8CHAR *dst, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len > n)
		len = n;
	memset(dst, ' ', n);
	memcpy(dst, s, len);
}

int h_padded_eq(const CK_UTF8CHAR *field, size_t n, const char *s)
{
	CK_UTF8CHAR want[256];

	if (n > sizeof(want))
		return 0;
	h_pad(want, n, s);
	return memcmp(field, want, n) == 0;
}

CK_ULONG h_slots(CK_BBOOL present, CK_SLOT_ID *out, CK_ULONG max)
{
	CK_ULONG n = 0;

	assert_ok(p11->C_GetSlotList(present, NULL, &n));
	assert_true(n <= max);
	assert_ok(p11->C_GetSlotList(present, out, &n));
	return n;
}

CK_SLOT_ID h_uninit_slot(void)
{
	CK_SLOT_ID slots[32];
	CK_ULONG n, i, found = 0;
	CK_SLOT_ID slot = 0;
	CK_TOKEN_INFO info;

	n = h_slots(CK_TRUE, slots, 32);
	for (i = 0; i < n; i++) {
		assert_ok(p11->C_GetTokenInfo(slots[i], &info));
		if (!(info.flags & CKF_TOKEN_INITIALIZED)) {
			slot = slots[i];
			found++;
		}
	}
	/* One slot on a device: once its token is made there is no other. */
	if (found == 0 && h_device())
		skip();
	if (found != 1)
		fail_msg("%lu slots with an uninitialized token, expected 1", found);
	return slot;
}

void h_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info)
{
	assert_ok(p11->C_GetTokenInfo(slot, info));
}

CK_FLAGS h_token_flags(CK_SLOT_ID slot)
{
	CK_TOKEN_INFO info;

	h_token_info(slot, &info);
	return info.flags;
}

CK_SLOT_ID h_init_token_pin(const char *label, const char *so_pin)
{
	CK_SLOT_ID slot = h_uninit_slot();
	CK_UTF8CHAR lab[32];

	h_pad(lab, sizeof(lab), label);
	assert_ok(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), lab));
	return slot;
}

CK_SLOT_ID h_init_token(const char *label)
{
	return h_init_token_pin(label, H_SO_PIN);
}

void h_init_user_pin_with(CK_SLOT_ID slot, const char *so_pin, const char *user_pin)
{
	CK_SESSION_HANDLE s = h_open(slot, 1);

	assert_ok(h_login_pin(s, CKU_SO, so_pin));
	assert_ok(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin)));
	assert_ok(p11->C_Logout(s));
	assert_ok(p11->C_CloseSession(s));
}

void h_init_user_pin(CK_SLOT_ID slot)
{
	h_init_user_pin_with(slot, H_SO_PIN, H_USER_PIN);
}

CK_SESSION_HANDLE h_open(CK_SLOT_ID slot, int rw)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_FLAGS fl = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);

	assert_ok(p11->C_OpenSession(slot, fl, NULL, NULL, &s));
	assert_true(s != CK_INVALID_HANDLE);
	return s;
}

CK_RV h_login_pin(CK_SESSION_HANDLE s, CK_USER_TYPE who, const char *pin)
{
	return p11->C_Login(s, who, (CK_UTF8CHAR_PTR)pin, strlen(pin));
}

void h_login(CK_SESSION_HANDLE s, CK_USER_TYPE who)
{
	assert_ok(h_login_pin(s, who, who == CKU_SO ? H_SO_PIN : H_USER_PIN));
}

CK_STATE h_state(CK_SESSION_HANDLE s)
{
	CK_SESSION_INFO info;

	assert_ok(p11->C_GetSessionInfo(s, &info));
	return info.state;
}

void t_init(h_tmpl *t)
{
	memset(t, 0, sizeof(*t));
}

void t_raw(h_tmpl *t, CK_ATTRIBUTE_TYPE type, void *p, CK_ULONG len)
{
	assert_true(t->n < H_TMPL_MAX);
	t->a[t->n].type = type;
	t->a[t->n].pValue = p;
	t->a[t->n].ulValueLen = len;
	t->n++;
}

void t_bytes(h_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *p, CK_ULONG len)
{
	unsigned char *dst;

	assert_true(len <= sizeof(t->buf) - t->used);
	dst = t->buf + t->used;
	if (len > 0)
		memcpy(dst, p, len);
	t->used += (len + 7) & ~(size_t)7;
	if (t->used > sizeof(t->buf))
		t->used = sizeof(t->buf);
	t_raw(t, type, dst, len);
}

void t_without(h_tmpl *dst, const h_tmpl *src, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	t_init(dst);
	for (i = 0; i < src->n; i++) {
		if (src->a[i].type != type)
			t_bytes(dst, src->a[i].type, src->a[i].pValue, src->a[i].ulValueLen);
	}
}

void t_bool(h_tmpl *t, CK_ATTRIBUTE_TYPE type, CK_BBOOL b)
{
	t_bytes(t, type, &b, sizeof(b));
}

void t_ulong(h_tmpl *t, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
	t_bytes(t, type, &v, sizeof(v));
}

void t_str(h_tmpl *t, CK_ATTRIBUTE_TYPE type, const char *s)
{
	t_bytes(t, type, s, strlen(s));
}

CK_RV h_create_rv(CK_SESSION_HANDLE s, h_tmpl *t, CK_OBJECT_HANDLE *obj)
{
	*obj = CK_INVALID_HANDLE;
	return p11->C_CreateObject(s, t->a, t->n, obj);
}

CK_OBJECT_HANDLE h_create(CK_SESSION_HANDLE s, h_tmpl *t)
{
	CK_OBJECT_HANDLE o;

	assert_ok(h_create_rv(s, t, &o));
	assert_true(o != CK_INVALID_HANDLE);
	return o;
}

CK_OBJECT_HANDLE h_data(CK_SESSION_HANDLE s, const char *label, CK_BBOOL token, CK_BBOOL priv)
{
	h_tmpl t;
	char val[300];

	snprintf(val, sizeof(val), "value of %s", label);
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_DATA);
	t_bool(&t, CKA_TOKEN, token);
	t_bool(&t, CKA_PRIVATE, priv);
	t_str(&t, CKA_LABEL, label);
	t_str(&t, CKA_VALUE, val);
	return h_create(s, &t);
}

CK_BBOOL h_get_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL b = 0xA5;
	CK_ATTRIBUTE a = { type, &b, sizeof(b) };

	assert_ok(p11->C_GetAttributeValue(s, o, &a, 1));
	assert_int_equal(a.ulValueLen, sizeof(CK_BBOOL));
	assert_true(b == CK_TRUE || b == CK_FALSE);
	return b;
}

CK_ULONG h_get_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG v = 0;
	CK_ATTRIBUTE a = { type, &v, sizeof(v) };

	assert_ok(p11->C_GetAttributeValue(s, o, &a, 1));
	assert_int_equal(a.ulValueLen, sizeof(CK_ULONG));
	return v;
}

CK_ULONG h_get_bytes(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, void *buf,
		     CK_ULONG max)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };

	assert_ok(p11->C_GetAttributeValue(s, o, &a, 1));
	assert_true(a.ulValueLen <= max);
	a.pValue = buf;
	assert_ok(p11->C_GetAttributeValue(s, o, &a, 1));
	return a.ulValueLen;
}

void h_assert_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, const void *p,
		   CK_ULONG len)
{
	unsigned char buf[1024];
	CK_ULONG got = h_get_bytes(s, o, type, buf, sizeof(buf));

	if (got != len || memcmp(buf, p, len) != 0)
		fail_msg("attribute 0x%lx: %lu bytes differ from the %lu expected",
			 (unsigned long)type, (unsigned long)got, (unsigned long)len);
}

CK_ULONG h_find(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out,
		CK_ULONG max)
{
	CK_OBJECT_HANDLE batch[16];
	CK_ULONG total = 0, got, i;

	assert_ok(p11->C_FindObjectsInit(s, t, n));
	for (;;) {
		got = 0;
		assert_ok(p11->C_FindObjects(s, batch, 16, &got));
		assert_true(got <= 16);
		if (got == 0)
			break;
		for (i = 0; i < got; i++) {
			if (total >= max)
				fail_msg("search found more than %lu objects", (unsigned long)max);
			out[total++] = batch[i];
		}
	}
	assert_ok(p11->C_FindObjectsFinal(s));
	return total;
}

CK_ULONG h_find_label(CK_SESSION_HANDLE s, const char *label, CK_OBJECT_HANDLE *out, CK_ULONG max)
{
	CK_ATTRIBUTE t = { CKA_LABEL, (void *)label, strlen(label) };

	return h_find(s, &t, 1, out, max);
}

int h_handle_in(CK_OBJECT_HANDLE h, const CK_OBJECT_HANDLE *list, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		if (list[i] == h)
			return 1;
	}
	return 0;
}

void h_token_db(char *path, size_t n, CK_SLOT_ID slot)
{
	int r = snprintf(path, n, "%s/token-%lu.%s", h_store, (unsigned long)slot,
			 h_store_files() ? "files" : "sqlite");

	assert_true(r > 0 && (size_t)r < n);
}

unsigned char *h_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

int h_memmem(const void *hay, size_t len, const void *needle, size_t nlen)
{
	return memmem(hay, len, needle, nlen) != NULL;
}

void h_child_dispatch(int argc, char **argv, const h_scenario *table)
{
	const char *conf;
	size_t i;
	int rc;

	if (argc < 3 || strcmp(argv[1], "--child") != 0)
		return;
	conf = getenv("IOTOKEN_CONF");
	if (conf != NULL) {
		snprintf(h_conf, sizeof(h_conf), "%s", conf);
		snprintf(h_dir, sizeof(h_dir), "%s", conf);
		if (strrchr(h_dir, '/') != NULL)
			*strrchr(h_dir, '/') = '\0';
		snprintf(h_store, sizeof(h_store), "%s/store", h_dir);
	}
	for (i = 0; table[i].name != NULL; i++) {
		if (strcmp(table[i].name, argv[2]) == 0) {
			CK_C_GetFunctionList get_list;
			const char *path = getenv("IOTOKEN_MODULE");

			h_module = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
			if (h_module == NULL) {
				fprintf(stderr, "child: cannot load the module\n");
				exit(2);
			}
			*(void **)&get_list = dlsym(h_module, "C_GetFunctionList");
			if (get_list == NULL || get_list(&p11) != CKR_OK) {
				fprintf(stderr, "child: no function list\n");
				exit(2);
			}
			rc = table[i].run();
			exit(rc);
		}
	}
	fprintf(stderr, "child: unknown scenario %s\n", argv[2]);
	exit(3);
}

int h_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int h_run_child(const char *name)
{
	const char *self = getenv("IOTOKEN_TEST_SELF");
	pid_t pid;

	if (self == NULL || *self == '\0')
		fail_msg("IOTOKEN_TEST_SELF is not set");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		execl(self, self, "--child", name, (char *)NULL);
		_exit(127);
	}
	return h_wait(pid);
}
