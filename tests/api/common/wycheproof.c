/* Wycheproof vector files in the API tests: see wycheproof.h. */
#include <json-c/json.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "mechs.h"
#include "wycheproof.h"

char wy_dir[PATH_MAX];

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

void wy_find_vectors(void)
{
	static const char suffix[] = "/tests/api/common/wycheproof.c";
	const char *env = getenv("IOTOKEN_VECTORS"), *file = __FILE__;
	char tried[2 * PATH_MAX] = "";
	size_t flen = strlen(file);

	if (env != NULL && *env != '\0') {
		snprintf(wy_dir, sizeof(wy_dir), "%s/wycheproof", env);
		if (is_dir(wy_dir))
			return;
		snprintf(tried, sizeof(tried), "%s (IOTOKEN_VECTORS), ", wy_dir);
	}
	if (flen > strlen(suffix) && strcmp(file + flen - strlen(suffix), suffix) == 0) {
		snprintf(wy_dir, sizeof(wy_dir), "%.*s/../shared/vectors/wycheproof",
			 (int)(flen - strlen(suffix)), file);
		if (is_dir(wy_dir))
			return;
		strncat(tried, wy_dir, sizeof(tried) - strlen(tried) - 1);
	}
	fail_msg("Wycheproof vectors not found (tried: %s); set IOTOKEN_VECTORS to the folder "
		 "holding wycheproof/",
		 tried[0] ? tried : "nothing: __FILE__ is not <repo>/tests/api/...");
}

json_object *wy_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("vector file: no \"%s\"", key);
	return v;
}

const char *wy_str(json_object *o, const char *key)
{
	return json_object_get_string(wy_get(o, key));
}

unsigned char *wy_unhex(const char *hex, CK_ULONG *len)
{
	size_t cap = strlen(hex) / 2 + 1, n;
	unsigned char *p = malloc(cap);

	assert_non_null(p);
	n = h_unhex(hex, p, cap);
	if (n == (size_t)-1)
		fail_msg("vector file: bad hex \"%.40s\"", hex);
	*len = n;
	return p;
}

json_object *wy_load(const char *name, unsigned long *declared)
{
	char path[PATH_MAX + 64];
	json_object *root;

	snprintf(path, sizeof(path), "%s/%s", wy_dir, name);
	root = json_object_from_file(path);
	if (root == NULL)
		fail_msg("cannot read %s: %s", path, json_util_get_last_err());
	*declared = (unsigned long)json_object_get_int(wy_get(root, "numberOfTests"));
	return root;
}
