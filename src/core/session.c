/* Sessions: the handle table, the state of v2.40 section 5.6, and the
 * visibility of objects through a session. */
#include "core/module.h"

CK_RV session_open(token *tok, CK_FLAGS flags, CK_SESSION_HANDLE *out)
{
	session *s;
	CK_RV rv;

	/* v2.40 5.6 C_OpenSession: a read-only session cannot be opened while
	 * the SO is logged in. */
	if (!(flags & CKF_RW_SESSION) && tok->login == CKU_SO)
		return CKR_SESSION_READ_WRITE_SO_EXISTS;
	if (module.session_count >= CONFIG_MAX_SESSIONS)
		return CKR_SESSION_COUNT;
	s = port_calloc(1, sizeof(*s));
	if (s == NULL)
		return CKR_HOST_MEMORY;
	s->tok = tok;
	s->flags = (flags & CKF_RW_SESSION) | CKF_SERIAL_SESSION;
	rv = handle_add(&module.sessions, s, &s->handle);
	if (rv != CKR_OK) {
		port_free(s);
		return rv;
	}
	tok->sessions++;
	if (s->flags & CKF_RW_SESSION)
		tok->rw_sessions++;
	module.session_count++;
	*out = s->handle;
	return CKR_OK;
}

CK_RV session_get(CK_SESSION_HANDLE h, session **out)
{
	session *s = handle_get(&module.sessions, h);

	if (s == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	*out = s;
	return CKR_OK;
}

static void find_end(session *s)
{
	port_free(s->find.handles);
	s->find.handles = NULL;
	s->find.count = s->find.pos = 0;
	s->find.active = 0;
}

void session_close(session *s)
{
	token *tok = s->tok;
	object *o = tok->objects;

	/* v2.40 5.6: closing a session destroys its session objects. */
	while (o != NULL) {
		object *next = o->next;

		if (!o->is_token && o->owner == s->handle)
			token_destroy_object(tok, o);
		o = next;
	}
	find_end(s);
	op_free(&s->digest);
	op_free(&s->sign);
	op_free(&s->verify);
#if OP_WITH_CIPHERS
	op_free(&s->encrypt);
	op_free(&s->decrypt);
#endif
	handle_release(&module.sessions, s->handle);
	tok->sessions--;
	if (s->flags & CKF_RW_SESSION)
		tok->rw_sessions--;
	module.session_count--;
	port_free(s);
	/* The last session of the application logs it out. */
	if (tok->sessions == 0 && tok->login != LOGIN_NONE)
		token_forget_login(tok);
}

void session_close_all(token *tok)
{
	size_t i;

	for (i = 0; i < module.sessions.count; i++) {
		session *s = module.sessions.slots[i].ptr;

		if (s != NULL && s->tok == tok)
			session_close(s);
	}
}

CK_STATE session_state(const session *s)
{
	int rw = (s->flags & CKF_RW_SESSION) != 0;

	switch (s->tok->login) {
	case CKU_SO:
		return CKS_RW_SO_FUNCTIONS;
	case CKU_USER:
		return rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	default:
		return rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
	}
}

CK_RV session_object(const session *s, CK_OBJECT_HANDLE h, object **out)
{
	object *obj = handle_get(&module.objects, h);

	/* A private object is invisible, not forbidden, without the user: the
	 * caller learns nothing about it (SECURITY.md row 14). */
	if (obj == NULL || obj->tok != s->tok || !object_visible(obj))
		return CKR_OBJECT_HANDLE_INVALID;
	*out = obj;
	return CKR_OK;
}

void session_find_end(session *s)
{
	find_end(s);
}
