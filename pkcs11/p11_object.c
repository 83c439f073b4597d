/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Token objects.  Each token holds four objects, with OpenSC's CKA_IDs
 * (jpki-card.md §10.2) so that existing configurations keep working:
 *
 *   auth token: certificate 01, public key 01, private key 01, CA cert 03
 *   sign token: certificate 02, public key 02, private key 02, CA cert 04
 *
 * Visibility: private keys only after C_Login.  The signature certificate
 * EF 0001 cannot be read before the sign PIN (jpki-card.md §5.1), so the
 * sign certificate and its public key appear only after C_Login on the sign
 * token (they are CKA_PRIVATE).  Certificates are read when an attribute
 * needs them (or a search template names one), once per insertion.
 */
#include <string.h>

#include "p11_int.h"

static const char *const labels[2][P11_O_COUNT] = {
	{ "User Authentication Certificate", "User Authentication Public Key",
	  "User Authentication Key", "User Authentication Certificate CA" },
	{ "Digital Signature Certificate", "Digital Signature Public Key",
	  "Digital Signature Key", "Digital Signature Certificate CA" }
};

/* PKCS#1 v1.5 mechanisms, then the two PSS ones (JPKI_P11_PSS=1). */
static const CK_MECHANISM_TYPE sign_mechs[] = {
	CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA256_RSA_PKCS,
	CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS,
	CKM_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS_PSS
};
#define NSIGN_PKCS1	5

CK_OBJECT_HANDLE
p11_obj_handle(CK_SLOT_ID slot, enum p11_obj o)
{
	return ((slot + 1) << 8) | ((CK_OBJECT_HANDLE)o + 1);
}

int
p11_obj_decode(CK_OBJECT_HANDLE h, CK_SLOT_ID *slot, enum p11_obj *o)
{
	CK_OBJECT_HANDLE lo = h & 0xFF;

	if (lo == 0 || lo > P11_O_COUNT || (h >> 8) == 0)
		return 0;
	*slot = (h >> 8) - 1;
	*o = (enum p11_obj)(lo - 1);
	return 1;
}

static int
obj_private(enum p11_kind k, enum p11_obj o)
{
	if (o == P11_O_PRIV)
		return 1;
	return k == P11_SIGN && (o == P11_O_CERT || o == P11_O_PUB);
}

int
p11_obj_visible(struct p11_reader *r, enum p11_kind k, enum p11_obj o)
{
	return !obj_private(k, o) || r->logged_in[k];
}

/* Which certificate an object's data comes from. */
static enum p11_certidx
obj_cert(enum p11_kind k, enum p11_obj o)
{
	if (o == P11_O_CA)
		return k == P11_AUTH ? P11_C_AUTH_CA : P11_C_SIGN_CA;
	return k == P11_AUTH ? P11_C_AUTH : P11_C_SIGN;
}

/* Scratch space for scalar attribute values. */
union scalar {
	CK_ULONG		ul;
	CK_BBOOL		b;
	CK_BYTE			id;
};

/*
 * The value of one attribute: *val and *len point into the cache or sc.
 * CKR_ATTRIBUTE_TYPE_INVALID for attributes the object lacks,
 * CKR_ATTRIBUTE_SENSITIVE for the private key's secrets, or a card error.
 */
static CK_RV
attr_value(struct p11_reader *r, enum p11_kind k, enum p11_obj o,
    CK_ATTRIBUTE_TYPE t, union scalar *sc, const void **val, CK_ULONG *len)
{
	const jpki_cert_t	*c;
	const uint8_t		*n = NULL, *e = NULL, *p;
	size_t			 nl = 0, el = 0, pl = 0;
	int			 is_cert = o == P11_O_CERT || o == P11_O_CA;
	int			 is_key = o == P11_O_PUB || o == P11_O_PRIV;
	CK_RV			 rv;

	*val = sc;
	*len = 0;
	/* Attributes that need no card data. */
	switch (t) {
	case CKA_CLASS:
		sc->ul = is_cert ? CKO_CERTIFICATE : o == P11_O_PUB ?
		    CKO_PUBLIC_KEY : CKO_PRIVATE_KEY;
		*len = sizeof(sc->ul);
		rv = CKR_OK;
		goto out;
	case CKA_TOKEN:
		sc->b = CK_TRUE;
		*len = sizeof(sc->b);
		rv = CKR_OK;
		goto out;
	case CKA_PRIVATE:
		sc->b = obj_private(k, o) ? CK_TRUE : CK_FALSE;
		*len = sizeof(sc->b);
		rv = CKR_OK;
		goto out;
	case CKA_MODIFIABLE:
	case CKA_COPYABLE:
	case CKA_DESTROYABLE:
	case CKA_TRUSTED:
		sc->b = CK_FALSE;
		*len = sizeof(sc->b);
		rv = CKR_OK;
		goto out;
	case CKA_LABEL:
		*val = labels[k][o];
		*len = (CK_ULONG)strlen(labels[k][o]);
		rv = CKR_OK;
		goto out;
	case CKA_ID:
		sc->id = (CK_BYTE)((o == P11_O_CA ? 3 : 1) + (int)k);
		*len = 1;
		rv = CKR_OK;
		goto out;
	default:
		break;
	}
	if (is_cert) {
		switch (t) {
		case CKA_CERTIFICATE_TYPE:
			sc->ul = CKC_X_509;
			*len = sizeof(sc->ul);
			rv = CKR_OK;
			goto out;
		case CKA_CERTIFICATE_CATEGORY:
			/* 1 = token user, 2 = authority (PKCS#11 §4.6.2) */
			sc->ul = o == P11_O_CA ? 2 : 1;
			*len = sizeof(sc->ul);
			rv = CKR_OK;
			goto out;
		case CKA_JAVA_MIDP_SECURITY_DOMAIN:
			sc->ul = 0;
			*len = sizeof(sc->ul);
			rv = CKR_OK;
			goto out;
		case CKA_URL:
		case CKA_HASH_OF_SUBJECT_PUBLIC_KEY:
		case CKA_HASH_OF_ISSUER_PUBLIC_KEY:
		case CKA_START_DATE:
		case CKA_END_DATE:
			*len = 0;
			rv = CKR_OK;
			goto out;
		case CKA_VALUE:
		case CKA_SUBJECT:
		case CKA_ISSUER:
		case CKA_SERIAL_NUMBER:
		case CKA_PUBLIC_KEY_INFO:
			break;
		default:
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
			goto out;
		}
	} else if (is_key) {
		switch (t) {
		case CKA_KEY_TYPE:
			sc->ul = CKK_RSA;
			*len = sizeof(sc->ul);
			rv = CKR_OK;
			goto out;
		case CKA_KEY_GEN_MECHANISM:
			sc->ul = CK_UNAVAILABLE_INFORMATION;
			*len = sizeof(sc->ul);
			rv = CKR_OK;
			goto out;
		case CKA_START_DATE:
		case CKA_END_DATE:
			*len = 0;
			rv = CKR_OK;
			goto out;
		case CKA_ALLOWED_MECHANISMS:
			*val = sign_mechs;
			*len = (CK_ULONG)((g_p11.pss_enabled ?
			    sizeof(sign_mechs) / sizeof(sign_mechs[0]) :
			    NSIGN_PKCS1) * sizeof(sign_mechs[0]));
			rv = CKR_OK;
			goto out;
		case CKA_LOCAL:
		case CKA_DERIVE:
		case CKA_ENCRYPT:
		case CKA_WRAP:
		case CKA_VERIFY_RECOVER:
		case CKA_DECRYPT:
		case CKA_UNWRAP:
		case CKA_SIGN_RECOVER:
		case CKA_EXTRACTABLE:
		case CKA_WRAP_WITH_TRUSTED:
			sc->b = CK_FALSE;
			*len = sizeof(sc->b);
			if (o == P11_O_PUB && (t == CKA_DECRYPT ||
			    t == CKA_UNWRAP || t == CKA_SIGN_RECOVER ||
			    t == CKA_EXTRACTABLE || t == CKA_WRAP_WITH_TRUSTED)) {
				rv = CKR_ATTRIBUTE_TYPE_INVALID;
				goto out;
			}
			if (o == P11_O_PRIV && (t == CKA_ENCRYPT ||
			    t == CKA_WRAP || t == CKA_VERIFY_RECOVER)) {
				rv = CKR_ATTRIBUTE_TYPE_INVALID;
				goto out;
			}
			rv = CKR_OK;
			goto out;
		case CKA_VERIFY:
			if (o != P11_O_PUB) {
				rv = CKR_ATTRIBUTE_TYPE_INVALID;
				goto out;
			}
			sc->b = CK_TRUE;
			*len = sizeof(sc->b);
			rv = CKR_OK;
			goto out;
		case CKA_SIGN:
		case CKA_SENSITIVE:
		case CKA_ALWAYS_SENSITIVE:
		case CKA_NEVER_EXTRACTABLE:
			if (o != P11_O_PRIV) {
				rv = CKR_ATTRIBUTE_TYPE_INVALID;
				goto out;
			}
			sc->b = CK_TRUE;
			*len = sizeof(sc->b);
			rv = CKR_OK;
			goto out;
		case CKA_ALWAYS_AUTHENTICATE:
			/* the sign key: a PIN per signature (jpki-card §10.2) */
			if (o != P11_O_PRIV) {
				rv = CKR_ATTRIBUTE_TYPE_INVALID;
				goto out;
			}
			sc->b = k == P11_SIGN ? CK_TRUE : CK_FALSE;
			*len = sizeof(sc->b);
			rv = CKR_OK;
			goto out;
		case CKA_PRIVATE_EXPONENT:
		case CKA_PRIME_1:
		case CKA_PRIME_2:
		case CKA_EXPONENT_1:
		case CKA_EXPONENT_2:
		case CKA_COEFFICIENT:
			if (o != P11_O_PRIV) {
				rv = CKR_ATTRIBUTE_TYPE_INVALID;
				goto out;
			}
			rv = CKR_ATTRIBUTE_SENSITIVE;
			goto out;
		case CKA_SUBJECT:
		case CKA_MODULUS:
		case CKA_PUBLIC_EXPONENT:
		case CKA_PUBLIC_KEY_INFO:
			break;
		case CKA_MODULUS_BITS:
			/* defined for public keys; handy on the private one */
			break;
		default:
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
			goto out;
		}
	}
	/* The rest comes from the certificate. */
	if ((rv = p11_load_cert(r, obj_cert(k, o))) != CKR_OK)
		goto out;
	c = r->cert[obj_cert(k, o)];
	switch (t) {
	case CKA_VALUE:
		p = jpki_cert_der(c, &pl);
		break;
	case CKA_SUBJECT:
		p = jpki_cert_subject_der(c, &pl);
		break;
	case CKA_ISSUER:
		p = jpki_cert_issuer_der(c, &pl);
		break;
	case CKA_SERIAL_NUMBER:
		p = jpki_cert_serial_der(c, &pl);
		break;
	case CKA_PUBLIC_KEY_INFO:
		p = jpki_cert_spki_der(c, &pl);
		break;
	case CKA_MODULUS_BITS:
		sc->ul = jpki_cert_key_bits(c);
		*len = sizeof(sc->ul);
		rv = CKR_OK;
		goto out;
	default:	/* CKA_MODULUS, CKA_PUBLIC_EXPONENT */
		if (jpki_cert_rsa_public(c, &n, &nl, &e, &el) != JPKI_OK) {
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
			goto out;
		}
		p = t == CKA_MODULUS ? n : e;
		pl = t == CKA_MODULUS ? nl : el;
		break;
	}
	if (p == NULL) {
		rv = CKR_ATTRIBUTE_TYPE_INVALID;
		goto out;
	}
	*val = p;
	*len = (CK_ULONG)pl;
	rv = CKR_OK;
out:
	return rv;
}

/* Resolve a session's object handle; the object must be visible to it. */
static CK_RV
session_obj(const struct p11_frame *f, CK_OBJECT_HANDLE h,
    struct p11_reader **r, enum p11_kind *k, enum p11_obj *o)
{
	CK_SLOT_ID slot;

	if (!p11_obj_decode(h, &slot, o) || slot != f->slot)
		return CKR_OBJECT_HANDLE_INVALID;
	*r = f->r;
	*k = f->k;
	if (!p11_obj_visible(*r, *k, *o))
		return CKR_OBJECT_HANDLE_INVALID;
	return CKR_OK;
}

CK_RV
C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct p11_frame	 f;
	struct p11_reader	*r;
	enum p11_kind		 k;
	enum p11_obj		 o;
	union scalar		 sc;
	const void		*val;
	CK_ULONG		 i, len;
	CK_RV			 rv, arv, res = CKR_OK;

	if ((rv = p11_begin(&f, "C_GetAttributeValue", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (pTemplate == NULL && ulCount > 0)
		goto out;
	if ((rv = session_obj(&f, hObject, &r, &k, &o)) != CKR_OK)
		goto out;
	/* PKCS#11 v2.40 §5.7: process every attribute, report the worst. */
	for (i = 0; i < ulCount; i++) {
		CK_ATTRIBUTE *a = &pTemplate[i];

		arv = attr_value(r, k, o, a->type, &sc, &val, &len);
		if (arv == CKR_ATTRIBUTE_TYPE_INVALID ||
		    arv == CKR_ATTRIBUTE_SENSITIVE) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			res = arv;
			continue;
		}
		if (arv != CKR_OK) {
			rv = arv;	/* the card failed: nothing is valid */
			goto out;
		}
		if (a->pValue == NULL) {
			a->ulValueLen = len;
		} else if (a->ulValueLen < len) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			res = CKR_BUFFER_TOO_SMALL;
		} else {
			memcpy(a->pValue, val, len);
			a->ulValueLen = len;
		}
	}
	rv = res;
out:
	return p11_end(&f, rv);
}

CK_RV
C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
    CK_ULONG_PTR pulSize)
{
	struct p11_frame	 f;
	struct p11_reader	*r;
	enum p11_kind		 k;
	enum p11_obj		 o;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_GetObjectSize", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (pulSize == NULL)
		goto out;
	if ((rv = session_obj(&f, hObject, &r, &k, &o)) != CKR_OK)
		goto out;
	*pulSize = CK_UNAVAILABLE_INFORMATION;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

/* Does object o match the template?  A card error ends the search. */
static CK_RV
matches(struct p11_reader *r, enum p11_kind k, enum p11_obj o,
    const CK_ATTRIBUTE *tpl, CK_ULONG n, int *match)
{
	union scalar	 sc;
	const void	*val;
	CK_ULONG	 i, len;
	CK_RV		 rv;

	*match = 0;
	for (i = 0; i < n; i++) {
		rv = attr_value(r, k, o, tpl[i].type, &sc, &val, &len);
		if (rv == CKR_ATTRIBUTE_TYPE_INVALID ||
		    rv == CKR_ATTRIBUTE_SENSITIVE)
			return CKR_OK;
		if (rv != CKR_OK)
			return rv;
		if (len != tpl[i].ulValueLen || (len > 0 &&
		    (tpl[i].pValue == NULL || memcmp(val, tpl[i].pValue,
		    len) != 0)))
			return CKR_OK;
	}
	*match = 1;
	return CKR_OK;
}

CK_RV
C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
    CK_ULONG ulCount)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	struct p11_reader	*r;
	enum p11_kind		 k;
	int			 o, m;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_FindObjectsInit", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_ARGUMENTS_BAD;
	if (pTemplate == NULL && ulCount > 0)
		goto out;
	rv = CKR_OPERATION_ACTIVE;
	if (s->find_active)
		goto out;
	r = f.r;
	k = f.k;
	s->nfound = s->findpos = 0;
	for (o = 0; o < P11_O_COUNT; o++) {
		if (!p11_obj_visible(r, k, (enum p11_obj)o))
			continue;
		rv = matches(r, k, (enum p11_obj)o, pTemplate, ulCount, &m);
		if (rv == CKR_DEVICE_REMOVED)
			goto out;	/* the session is gone with the card */
		if (rv != CKR_OK)
			goto out;
		if (m)
			s->found[s->nfound++] = p11_obj_handle(s->slot,
			    (enum p11_obj)o);
	}
	s->find_active = 1;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

CK_RV
C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	CK_ULONG		 n = 0;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_FindObjects", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_ARGUMENTS_BAD;
	if (pulObjectCount == NULL || (phObject == NULL &&
	    ulMaxObjectCount > 0))
		goto out;
	rv = CKR_OPERATION_NOT_INITIALIZED;
	if (!s->find_active)
		goto out;
	while (n < ulMaxObjectCount && s->findpos < s->nfound)
		phObject[n++] = s->found[s->findpos++];
	*pulObjectCount = n;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

CK_RV
C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_FindObjectsFinal", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_OPERATION_NOT_INITIALIZED;
	if (!s->find_active)
		goto out;
	s->find_active = 0;
	s->nfound = s->findpos = 0;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}
