/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * PKCS#11 scripts over the module's own entry points (p11_script.h).
 */
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include <jpki/jpki.h>

#include "p11_script.h"
#include "chunks.h"

#define MAX_ATTRS	8

transport_t *(*p11s_open)(void);

/* PC/SC, replaced: one reader, a card in it. */
int
pcsc_reader_list(char ***names, size_t *count, int **present)
{
	if ((*names = calloc(2, sizeof(**names))) == NULL ||
	    ((*names)[0] = strdup("Fuzz Reader 00 00")) == NULL ||
	    (present != NULL && (*present = calloc(1, sizeof(int))) == NULL))
		abort();
	if (present != NULL)
		(*present)[0] = 1;
	*count = 1;
	return JPKI_OK;
}

int
pcsc_transport_open(const char *reader, int wait_ms, transport_t **t)
{
	(void)reader;
	(void)wait_ms;
	if (p11s_open == NULL || (*t = p11s_open()) == NULL)
		return JPKI_ERR_NO_CARD;
	return JPKI_OK;
}

typedef struct {
	CK_ATTRIBUTE	 a[MAX_ATTRS];
	CK_ULONG	 n;
	CK_ULONG	 cap[MAX_ATTRS];	/* buffer sizes given */
} tmpl_t;

static uint32_t
u32(chunks_t *ck)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | chunks_byte(ck);
	return v;
}

/* values: copy value bytes from the script (find), else leave buffers */
static void
tmpl_read(chunks_t *ck, tmpl_t *t, int values)
{
	CK_ULONG i;
	size_t l, j;

	memset(t, 0, sizeof(*t));
	t->n = chunks_byte(ck) % (MAX_ATTRS + 1);
	for (i = 0; i < t->n; i++) {
		t->a[i].type = u32(ck);
		l = chunks_byte(ck);
		if (l == 0xFF) {
			t->a[i].pValue = NULL;
			t->a[i].ulValueLen = 0;
			continue;
		}
		/* exactly l bytes (at least 1 to allocate) so ASan sees any
		 * write past what the caller gave */
		if ((t->a[i].pValue = malloc(l > 0 ? l : 1)) == NULL)
			abort();
		for (j = 0; j < l; j++)
			((uint8_t *)t->a[i].pValue)[j] = values ?
			    chunks_byte(ck) : 0xA5;
		t->a[i].ulValueLen = l;
		t->cap[i] = l;
	}
}

static void
tmpl_free(tmpl_t *t)
{
	CK_ULONG i;

	for (i = 0; i < t->n; i++)
		free(t->a[i].pValue);
}

/* PKCS#11 §5.7 C_GetAttributeValue: what each attribute must say. */
static void
get_attrs(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, chunks_t *ck)
{
	tmpl_t t;
	CK_ULONG i;
	CK_RV rv;

	tmpl_read(ck, &t, 0);
	rv = C_GetAttributeValue(s, h, t.n > 0 ? t.a : NULL, t.n);
	if (rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE ||
	    rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_BUFFER_TOO_SMALL) {
		for (i = 0; i < t.n; i++) {
			if (t.a[i].ulValueLen == CK_UNAVAILABLE_INFORMATION)
				continue;
			if (t.a[i].pValue != NULL &&
			    t.a[i].ulValueLen > t.cap[i])
				abort();	/* claims more than it wrote */
		}
	}
	tmpl_free(&t);
}

void
p11s_run(const uint8_t *script, size_t n)
{
	CK_SLOT_ID slots[4], slot;
	CK_ULONG ns = 4, nf, i;
	CK_OBJECT_HANDLE found[8], h;
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO ti;
	chunks_t ck;
	tmpl_t t;
	CK_RV rv;
	int ops = 0;

	chunks_init(&ck, script, n);
	if (C_Initialize(NULL) != CKR_OK)
		abort();
	if (C_GetSlotList(CK_TRUE, slots, &ns) != CKR_OK || ns == 0)
		goto fini;
	slot = slots[chunks_byte(&ck) % ns];
	(void)C_GetTokenInfo(slot, &ti);
	if (C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) !=
	    CKR_OK)
		goto fini;
	while (ck.left > 0 && ops++ < 16) {
		switch (chunks_byte(&ck) % 4) {
		case 0:
			tmpl_read(&ck, &t, 1);
			rv = C_FindObjectsInit(s, t.n > 0 ? t.a : NULL, t.n);
			tmpl_free(&t);
			if (rv != CKR_OK)
				break;
			nf = 0;
			rv = C_FindObjects(s, found, 8, &nf);
			(void)C_FindObjectsFinal(s);
			if (rv != CKR_OK)
				break;
			if (nf > 8)
				abort();
			for (i = 0; i < nf; i++)
				get_attrs(s, found[i], &ck);
			break;
		case 1:
			h = (CK_OBJECT_HANDLE)(slot << 8 | chunks_byte(&ck));
			get_attrs(s, h, &ck);
			break;
		case 2:
			tmpl_read(&ck, &t, 1);
			if (C_CreateObject(s, t.n > 0 ? t.a : NULL, t.n, &h) ==
			    CKR_OK)
				abort();	/* the tokens are read-only */
			tmpl_free(&t);
			break;
		default:
			h = (CK_OBJECT_HANDLE)(slot << 8 | chunks_byte(&ck));
			(void)C_GetObjectSize(s, h, &nf);
			break;
		}
	}
	(void)C_CloseSession(s);
fini:
	if (C_Finalize(NULL) != CKR_OK)
		abort();
}
