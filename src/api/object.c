/* Object management functions (v2.40 section 5.7), but for find (find.c). */
#include <string.h>

#include "api/api.h"
#include "core/attr_array.h"
#include "core/keyobj.h"

static CK_RV check_template(const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	if ((tmpl == NULL && count > 0) || count > ATTR_MAX_TEMPLATE)
		return CKR_ARGUMENTS_BAD;
	return CKR_OK;
}

/* Who may hold an object: token objects need an R/W session, private
 * objects the user (v2.40 4.4, table 17 and 5.6 session states). */
CK_RV api_check_access(const session *s, const object *obj)
{
	if (obj->is_token && !(s->flags & CKF_RW_SESSION))
		return CKR_SESSION_READ_ONLY;
	if (obj->is_private && s->tok->login != CKU_USER)
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_OK;
}

/* Stores (token objects) and then publishes a new object. */
CK_RV api_publish(session *s, object *obj, CK_OBJECT_HANDLE *out)
{
	token *tok = s->tok;
	CK_RV rv;

	if (!obj->is_token)
		obj->owner = s->handle;
	/* IOT_MAX_OBJECTS (iotoken/defaults.h), session objects included. */
	if (tok->nobjects >= (size_t)IOT_MAX_OBJECTS)
		return CKR_DEVICE_MEMORY;
	rv = token_store_object(tok, obj);
	if (rv != CKR_OK)
		return rv;
	rv = token_add_object(tok, obj);
	if (rv != CKR_OK) {
		/* Undo the write so memory and store agree. */
		if (obj->is_token && store_object_delete(tok->st, obj->id) != CKR_OK)
			config_log("object %llx stored but not published",
				   (unsigned long long)obj->id);
		return rv;
	}
	*out = obj->handle;
	return CKR_OK;
}

IOT_EXPORT CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
				CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject)
{
	object *obj = NULL;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	rv = check_template(pTemplate, ulCount);
	if (rv == CKR_OK && phObject == NULL)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = token_sync(s->tok);
	if (rv == CKR_OK)
		rv = object_create(pTemplate, ulCount, s->tok->login == CKU_SO ? OBJ_CREATE_SO : 0,
				   &obj);
	if (rv == CKR_OK)
		rv = api_check_access(s, obj);
	if (rv == CKR_OK)
		rv = keyobj_import(obj);
	if (rv == CKR_OK)
		rv = api_publish(s, obj, phObject);
	if (rv != CKR_OK)
		object_free(obj);
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			      CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
			      CK_OBJECT_HANDLE_PTR phNewObject)
{
	object *obj, *copy = NULL;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	rv = check_template(pTemplate, ulCount);
	if (rv == CKR_OK && phNewObject == NULL)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = session_object(s, hObject, &obj);
	if (rv == CKR_OK && !object_bool(obj, CKA_COPYABLE))
		rv = CKR_ACTION_PROHIBITED;
	if (rv == CKR_OK)
		rv = object_clone(obj, &copy);
	if (rv == CKR_OK) {
		/* A new object: new id, nothing sealed under the old one. */
		copy->id = 0;
		copy->owner = 0;
		object_forget_sealed(copy);
		rv = object_apply(copy, pTemplate, ulCount, 1, s->tok->login == CKU_SO);
	}
	if (rv == CKR_OK)
		rv = api_check_access(s, copy);
	if (rv == CKR_OK)
		rv = api_publish(s, copy, phNewObject);
	if (rv != CKR_OK)
		object_free(copy);
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	object *obj;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	rv = session_object(s, hObject, &obj);
	if (rv == CKR_OK)
		rv = api_check_access(s, obj);
	if (rv == CKR_OK && !object_bool(obj, CKA_DESTROYABLE))
		rv = CKR_ACTION_PROHIBITED;
	if (rv == CKR_OK && obj->is_token)
		rv = store_object_delete(s->tok->st, obj->id);
	if (rv == CKR_OK)
		token_destroy_object(s->tok, obj);
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
				 CK_ULONG_PTR pulSize)
{
	object *obj;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	rv = session_object(s, hObject, &obj);
	if (rv == CKR_OK && pulSize == NULL)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		*pulSize = object_size(obj);
	api_leave();
	return rv;
}

/*
 * v2.40 5.7 C_GetAttributeValue: every entry is processed; an entry that
 * cannot be returned gets CK_UNAVAILABLE_INFORMATION; the call returns
 * CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID or CKR_BUFFER_TOO_SMALL
 * when any entry met that case, in that order of precedence (SECURITY.md
 * row 7). Nothing is written past an entry's ulValueLen.
 */
static CK_RV get_attributes(const object *obj, CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	int sensitive = 0, invalid = 0, small = 0;
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		const attr_rule *r = object_rule(obj, tmpl[i].type);
		const obj_value *v;

		if (r == NULL) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			invalid = 1;
			continue;
		}
		v = object_value(obj, tmpl[i].type);
		if (object_hidden(obj, r) || (v->len > 0 && v->value == NULL)) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			sensitive = 1;
#if ATTR_WITH_ARRAYS
		} else if (r->form == FORM_ATTRS) {
			CK_RV arv = attrs_get(v->value, v->len, &tmpl[i]);

			if (arv == CKR_BUFFER_TOO_SMALL)
				small = 1;
			else if (arv != CKR_OK)
				return arv;
#endif
		} else if (tmpl[i].pValue == NULL) {
			tmpl[i].ulValueLen = v->len;
		} else if (tmpl[i].ulValueLen >= v->len) {
			if (v->len > 0)
				memcpy(tmpl[i].pValue, v->value, v->len);
			tmpl[i].ulValueLen = v->len;
		} else {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			small = 1;
		}
	}
	if (sensitive)
		return CKR_ATTRIBUTE_SENSITIVE;
	if (invalid)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	return small ? CKR_BUFFER_TOO_SMALL : CKR_OK;
}

IOT_EXPORT CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
				     CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	object *obj;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	rv = session_object(s, hObject, &obj);
	if (rv == CKR_OK)
		rv = check_template(pTemplate, ulCount);
	if (rv == CKR_OK)
		rv = get_attributes(obj, pTemplate, ulCount);
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
				     CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	object *obj, *changed = NULL;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	rv = session_object(s, hObject, &obj);
	if (rv == CKR_OK)
		rv = check_template(pTemplate, ulCount);
	if (rv == CKR_OK)
		rv = api_check_access(s, obj);
	/* All or nothing: the change is made on a copy, stored, then swapped
	 * in. */
	if (rv == CKR_OK)
		rv = object_clone(obj, &changed);
	if (rv == CKR_OK)
		rv = object_apply(changed, pTemplate, ulCount, 0, s->tok->login == CKU_SO);
	if (rv == CKR_OK)
		rv = token_store_object(s->tok, changed);
	if (rv == CKR_OK) {
		rv = token_replace_object(s->tok, obj, changed);
		changed = NULL;
	}
	object_free(changed);
	api_leave();
	return rv;
}
