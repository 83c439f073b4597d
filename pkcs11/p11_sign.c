/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Signing and digests.  The card does PKCS#1 v1.5 over a DigestInfo
 * (COMPUTE DIGITAL SIGNATURE P1 00, jpki-card.md §5.6):
 *   CKM_RSA_PKCS          the caller's DigestInfo (1..245 bytes) as given;
 *   CKM_SHAx_RSA_PKCS     hashed here (libjpki, incremental for
 *                         C_SignUpdate), DigestInfo built by libjpki.
 * RSA-PSS only when JPKI_P11_PSS=1: the card's scheme P1 04 (SHA-256,
 * MGF1-SHA-256, 32-byte salt) is unverified on production cards.
 *   CKM_RSA_PKCS_PSS         a 32-byte SHA-256 hash from the caller;
 *   CKM_SHA256_RSA_PKCS_PSS  hashed here.
 * Keys never decrypt.
 *
 * The sign key carries CKA_ALWAYS_AUTHENTICATE: every signature needs
 * C_Login(CKU_CONTEXT_SPECIFIC) after C_SignInit (PKCS#11 v2.40 §4.9).
 */
#include <string.h>

#include "p11_int.h"

void
p11_sign_reset(struct p11_session *s)
{
	jpki_hash_ctx_free(&s->sign_hash);
	jpki_secure_zero(s->sign_buf, sizeof(s->sign_buf));
	s->sign_len = 0;
	s->sign_active = 0;
	s->sign_multi = 0;
	s->sign_pss = 0;
	s->ctx_login = 0;
}

void
p11_digest_reset(struct p11_session *s)
{
	jpki_hash_ctx_free(&s->digest_hash);
	s->digest_active = 0;
}

static int
sign_alg(CK_MECHANISM_TYPE m, jpki_hash_t *alg)
{
	switch (m) {
	case CKM_RSA_PKCS:
		*alg = JPKI_HASH_NONE;
		return 1;
	case CKM_SHA1_RSA_PKCS:
		*alg = JPKI_HASH_SHA1;
		return 1;
	case CKM_SHA256_RSA_PKCS:
		*alg = JPKI_HASH_SHA256;
		return 1;
	case CKM_SHA384_RSA_PKCS:
		*alg = JPKI_HASH_SHA384;
		return 1;
	case CKM_SHA512_RSA_PKCS:
		*alg = JPKI_HASH_SHA512;
		return 1;
	case CKM_RSA_PKCS_PSS:
		*alg = JPKI_HASH_NONE;
		return 1;
	case CKM_SHA256_RSA_PKCS_PSS:
		*alg = JPKI_HASH_SHA256;
		return 1;
	default:
		return 0;
	}
}

/* The only PSS parameters the card's scheme produces (jpki-card §5.6). */
static int
pss_params_ok(const CK_MECHANISM *m)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;

	return p != NULL && m->ulParameterLen == sizeof(*p) &&
	    p->hashAlg == CKM_SHA256 && p->mgf == CKG_MGF1_SHA256 &&
	    p->sLen == 32;
}

static int
digest_alg(CK_MECHANISM_TYPE m, jpki_hash_t *alg)
{
	switch (m) {
	case CKM_SHA_1:
		*alg = JPKI_HASH_SHA1;
		return 1;
	case CKM_SHA256:
		*alg = JPKI_HASH_SHA256;
		return 1;
	case CKM_SHA384:
		*alg = JPKI_HASH_SHA384;
		return 1;
	case CKM_SHA512:
		*alg = JPKI_HASH_SHA512;
		return 1;
	default:
		return 0;
	}
}

CK_RV
C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hKey)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	struct p11_reader	*r;
	enum p11_kind		 k;
	enum p11_obj		 o;
	CK_SLOT_ID		 slot;
	jpki_hash_t		 alg;
	int			 err, pss;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_SignInit", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_ARGUMENTS_BAD;
	if (pMechanism == NULL)
		goto out;
	rv = CKR_OPERATION_ACTIVE;
	if (s->sign_active)
		goto out;
	rv = CKR_MECHANISM_INVALID;
	if (!sign_alg(pMechanism->mechanism, &alg) ||
	    !p11_mech_supported(pMechanism->mechanism, NULL))
		goto out;
	pss = p11_mech_is_pss(pMechanism->mechanism);
	rv = CKR_MECHANISM_PARAM_INVALID;
	if (pss ? !pss_params_ok(pMechanism) :
	    (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0))
		goto out;
	rv = CKR_KEY_HANDLE_INVALID;
	if (!p11_obj_decode(hKey, &slot, &o) || slot != s->slot ||
	    o == P11_O_CERT || o == P11_O_CA)
		goto out;
	r = f.r;	/* slot is the session's */
	k = f.k;
	/* a private key exists but is usable only after C_Login */
	rv = CKR_USER_NOT_LOGGED_IN;
	if (o == P11_O_PRIV && !r->logged_in[k])
		goto out;
	rv = CKR_KEY_HANDLE_INVALID;
	if (!p11_obj_visible(r, k, o))
		goto out;
	rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (o != P11_O_PRIV)
		goto out;
	if (alg != JPKI_HASH_NONE &&
	    (err = jpki_hash_ctx_new(&s->sign_hash, alg)) != JPKI_OK) {
		rv = p11_rv(err);
		goto out;
	}
	s->sign_active = 1;
	s->sign_mech = pMechanism->mechanism;
	s->sign_alg = alg;
	s->sign_pss = pss;
	s->sign_key = k;
	s->sign_multi = 0;
	s->sign_len = 0;
	s->ctx_login = 0;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

/*
 * Sign in (a DigestInfo for CKM_RSA_PKCS, else a digest) on the card.  The
 * session may be released on return when the card has gone.
 */
static CK_RV
card_sign(const struct p11_frame *f, const uint8_t *in, size_t in_len,
    CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	struct p11_session	*s = f->s;
	struct p11_reader	*r = f->r;
	enum p11_kind		 k = f->k;
	uint8_t			 out[P11_SIG_LEN];
	size_t			 out_len = sizeof(out);
	int			 err;
	CK_RV			 rv;

	rv = CKR_USER_NOT_LOGGED_IN;
	if (!r->logged_in[k])
		goto out;
	if (k == P11_SIGN && !s->ctx_login)
		goto out;
	if ((rv = p11_card_ready(r)) != CKR_OK)
		goto out;
	if (s->sign_pss)
		err = jpki_card_sign_pss(r->h, k == P11_AUTH ? JPKI_KEY_AUTH :
		    JPKI_KEY_SIGN, in, in_len, out, &out_len);
	else
		err = jpki_card_sign(r->h, k == P11_AUTH ? JPKI_KEY_AUTH :
		    JPKI_KEY_SIGN, s->sign_alg, in, in_len, out, &out_len);
	if (err != JPKI_OK) {
		rv = p11_card_error(r, err);
		goto out;
	}
	rv = CKR_GENERAL_ERROR;
	if (out_len != P11_SIG_LEN)
		goto out;
	memcpy(sig, out, out_len);
	*sig_len = (CK_ULONG)out_len;
	rv = CKR_OK;
out:
	return rv;
}

/* Size query and short buffer leave the operation active (§5.2). */
static int
size_query(CK_BYTE_PTR sig, CK_ULONG_PTR sig_len, CK_RV *rv)
{
	if (sig == NULL) {
		*sig_len = P11_SIG_LEN;
		*rv = CKR_OK;
		return 1;
	}
	if (*sig_len < P11_SIG_LEN) {
		*sig_len = P11_SIG_LEN;
		*rv = CKR_BUFFER_TOO_SMALL;
		return 1;
	}
	return 0;
}

CK_RV
C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
    CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	uint8_t			 md[64];
	size_t			 md_len = sizeof(md);
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_Sign", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_OPERATION_NOT_INITIALIZED;
	if (!s->sign_active)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (pulSignatureLen == NULL || (pData == NULL && ulDataLen > 0))
		goto end;
	rv = CKR_OPERATION_ACTIVE;
	if (s->sign_multi)
		goto end;
	if (size_query(pSignature, pulSignatureLen, &rv))
		goto out;
	if (s->sign_alg == JPKI_HASH_NONE) {
		/* a DigestInfo, or for PSS a SHA-256 hash */
		rv = CKR_DATA_LEN_RANGE;
		if (ulDataLen == 0 || ulDataLen > P11_MAX_DIGESTINFO ||
		    (s->sign_pss && ulDataLen != 32))
			goto end;
		rv = card_sign(&f, pData, ulDataLen, pSignature,
		    pulSignatureLen);
		goto end;
	}
	if ((err = jpki_hash(s->sign_alg, pData, ulDataLen, md, &md_len)) !=
	    JPKI_OK) {
		rv = p11_rv(err);
		goto end;
	}
	rv = card_sign(&f, md, md_len, pSignature, pulSignatureLen);
end:
	p11_sign_reset(s);
out:
	return p11_end(&f, rv);
}

CK_RV
C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
    CK_ULONG ulPartLen)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_SignUpdate", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_OPERATION_NOT_INITIALIZED;
	if (!s->sign_active)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (pPart == NULL && ulPartLen > 0)
		goto fail;
	s->sign_multi = 1;
	if (s->sign_alg == JPKI_HASH_NONE) {
		/* the DigestInfo must fit one card command */
		rv = CKR_DATA_LEN_RANGE;
		if (ulPartLen > sizeof(s->sign_buf) - s->sign_len)
			goto fail;
		if (ulPartLen > 0)
			memcpy(s->sign_buf + s->sign_len, pPart, ulPartLen);
		s->sign_len += ulPartLen;
	} else if ((err = jpki_hash_ctx_update(s->sign_hash, pPart,
	    ulPartLen)) != JPKI_OK) {
		rv = p11_rv(err);
		goto fail;
	}
	rv = CKR_OK;
	goto out;
fail:
	p11_sign_reset(s);
out:
	return p11_end(&f, rv);
}

CK_RV
C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
    CK_ULONG_PTR pulSignatureLen)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	uint8_t			 md[64];
	size_t			 md_len = sizeof(md);
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_SignFinal", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_OPERATION_NOT_INITIALIZED;
	if (!s->sign_active)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (pulSignatureLen == NULL)
		goto end;
	if (size_query(pSignature, pulSignatureLen, &rv))
		goto out;
	if (s->sign_alg == JPKI_HASH_NONE) {
		rv = CKR_DATA_LEN_RANGE;
		if (s->sign_len == 0 || (s->sign_pss && s->sign_len != 32))
			goto end;
		rv = card_sign(&f, s->sign_buf, s->sign_len, pSignature,
		    pulSignatureLen);
		goto end;
	}
	if ((err = jpki_hash_ctx_final(s->sign_hash, md, &md_len)) !=
	    JPKI_OK) {
		rv = p11_rv(err);
		goto end;
	}
	rv = card_sign(&f, md, md_len, pSignature, pulSignatureLen);
end:
	p11_sign_reset(s);
out:
	return p11_end(&f, rv);
}

CK_RV
C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	jpki_hash_t		 alg;
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_DigestInit", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_ARGUMENTS_BAD;
	if (pMechanism == NULL)
		goto out;
	rv = CKR_OPERATION_ACTIVE;
	if (s->digest_active)
		goto out;
	rv = CKR_MECHANISM_INVALID;
	if (!digest_alg(pMechanism->mechanism, &alg))
		goto out;
	rv = CKR_MECHANISM_PARAM_INVALID;
	if (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0)
		goto out;
	if ((err = jpki_hash_ctx_new(&s->digest_hash, alg)) != JPKI_OK) {
		rv = p11_rv(err);
		goto out;
	}
	s->digest_alg = alg;
	s->digest_active = 1;
	rv = CKR_OK;
out:
	return p11_end(&f, rv);
}

/* Size query for a digest: leaves the operation active. */
static int
digest_size_query(struct p11_session *s, CK_BYTE_PTR md, CK_ULONG_PTR len,
    CK_RV *rv)
{
	CK_ULONG need = (CK_ULONG)jpki_hash_len(s->digest_alg);

	if (md == NULL) {
		*len = need;
		*rv = CKR_OK;
		return 1;
	}
	if (*len < need) {
		*len = need;
		*rv = CKR_BUFFER_TOO_SMALL;
		return 1;
	}
	return 0;
}

CK_RV
C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
    CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	size_t			 len;
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_Digest", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_OPERATION_NOT_INITIALIZED;
	if (!s->digest_active)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (pulDigestLen == NULL || (pData == NULL && ulDataLen > 0))
		goto end;
	if (digest_size_query(s, pDigest, pulDigestLen, &rv))
		goto out;
	len = *pulDigestLen;
	if ((err = jpki_hash(s->digest_alg, pData, ulDataLen, pDigest,
	    &len)) != JPKI_OK) {
		rv = p11_rv(err);
		goto end;
	}
	*pulDigestLen = (CK_ULONG)len;
	rv = CKR_OK;
end:
	p11_digest_reset(s);
out:
	return p11_end(&f, rv);
}

CK_RV
C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
    CK_ULONG ulPartLen)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_DigestUpdate", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_OPERATION_NOT_INITIALIZED;
	if (!s->digest_active)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (pPart == NULL && ulPartLen > 0)
		goto fail;
	if ((err = jpki_hash_ctx_update(s->digest_hash, pPart, ulPartLen)) !=
	    JPKI_OK) {
		rv = p11_rv(err);
		goto fail;
	}
	rv = CKR_OK;
	goto out;
fail:
	p11_digest_reset(s);
out:
	return p11_end(&f, rv);
}

CK_RV
C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest,
    CK_ULONG_PTR pulDigestLen)
{
	struct p11_frame	 f;
	struct p11_session	*s;
	size_t			 len;
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_DigestFinal", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	s = f.s;
	rv = CKR_OPERATION_NOT_INITIALIZED;
	if (!s->digest_active)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (pulDigestLen == NULL)
		goto end;
	if (digest_size_query(s, pDigest, pulDigestLen, &rv))
		goto out;
	len = *pulDigestLen;
	if ((err = jpki_hash_ctx_final(s->digest_hash, pDigest, &len)) !=
	    JPKI_OK) {
		rv = p11_rv(err);
		goto end;
	}
	*pulDigestLen = (CK_ULONG)len;
	rv = CKR_OK;
end:
	p11_digest_reset(s);
out:
	return p11_end(&f, rv);
}

/* Random bytes from the card (GET CHALLENGE); no login needed. */
CK_RV
C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData,
    CK_ULONG ulRandomLen)
{
	struct p11_frame	 f;
	struct p11_reader	*r;
	int			 err;
	CK_RV			 rv;

	if ((rv = p11_begin(&f, "C_GenerateRandom", P11_F_SESSION, hSession,
	    CKR_OK)) != CKR_OK)
		goto out;
	rv = CKR_ARGUMENTS_BAD;
	if (RandomData == NULL && ulRandomLen > 0)
		goto out;
	r = f.r;
	if ((rv = p11_card_ready(r)) != CKR_OK)
		goto out;
	rv = CKR_OK;
	if (ulRandomLen > 0 && (err = jpki_card_random(r->h, RandomData,
	    ulRandomLen)) != JPKI_OK)
		rv = p11_card_error(r, err);
out:
	return p11_end(&f, rv);
}
