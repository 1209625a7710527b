/* C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal (v2.40 5.7). */
#include <string.h>

#include "api/api.h"

/* The index to walk: the most selective attribute the template names. */
static const CK_ATTRIBUTE *pick_index(const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	static const CK_ATTRIBUTE_TYPE order[] = { CKA_ID, CKA_LABEL, CKA_CLASS };
	size_t k;
	CK_ULONG i;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < count; i++)
			if (tmpl[i].type == order[k])
				return &tmpl[i];
	return NULL;
}

static CK_RV add_match(session *s, const object *obj)
{
	if (s->find.count == FIND_BATCH_MAX)
		return CKR_HOST_MEMORY;
	if ((s->find.count & (s->find.count - 1)) == 0) {
		/* Grow at powers of two. */
		size_t cap = s->find.count ? s->find.count * 2 : 16;
		CK_OBJECT_HANDLE *h = port_realloc(s->find.handles, cap * sizeof(*h));

		if (h == NULL)
			return CKR_HOST_MEMORY;
		s->find.handles = h;
	}
	s->find.handles[s->find.count++] = obj->handle;
	return CKR_OK;
}

static int candidate(const object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	return obj->handle != 0 && object_visible(obj) && object_matches(obj, tmpl, count);
}

static CK_RV collect(session *s, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	const CK_ATTRIBUTE *key = pick_index(tmpl, count);
	const object *obj;
	CK_RV rv = CKR_OK;

	/* Checked with or without an index (iotoken/defaults.h), so that both
	 * builds answer the same. */
	if (key != NULL && key->ulValueLen > 0 && key->pValue == NULL)
		return CKR_ARGUMENTS_BAD;
#if IOT_WITH_INDEX
	if (key != NULL) {
		uint64_t h;
		const index_node *n;

		if (key->ulValueLen > ATTR_MAX_VALUE)
			return CKR_OK; /* no object holds such a value */
		h = index_hash(key->type, key->pValue, key->ulValueLen);
		/* Each object is in a chain once per indexed type, so no
		 * object is seen twice. */
		for (n = index_chain(&s->tok->index, h); n != NULL && rv == CKR_OK; n = n->next)
			if (n->type == key->type && n->hash == h && candidate(n->obj, tmpl, count))
				rv = add_match(s, n->obj);
		return rv;
	}
#endif
	for (obj = s->tok->objects; obj != NULL && rv == CKR_OK; obj = obj->next)
		if (candidate(obj, tmpl, count))
			rv = add_match(s, obj);
	return rv;
}

IOT_EXPORT CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
				   CK_ULONG ulCount)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if ((pTemplate == NULL && ulCount > 0) || ulCount > ATTR_MAX_TEMPLATE) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (s->find.active) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	rv = token_sync(s->tok);
	if (rv == CKR_OK)
		rv = collect(s, pTemplate, ulCount);
	if (rv == CKR_OK)
		s->find.active = 1;
	else
		session_find_end(s);
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
			       CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	CK_ULONG n = 0;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (phObject == NULL || pulObjectCount == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!s->find.active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	/* The matches were fixed at init; one destroyed (or hidden by a
	 * logout) since then is skipped. */
	while (n < ulMaxObjectCount && s->find.pos < s->find.count) {
		CK_OBJECT_HANDLE h = s->find.handles[s->find.pos++];
		const object *obj = handle_get(&module.objects, h);

		if (obj != NULL && object_visible(obj))
			phObject[n++] = h;
	}
	*pulObjectCount = n;
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (!s->find.active)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else
		session_find_end(s);
	api_leave();
	return rv;
}
