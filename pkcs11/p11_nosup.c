/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Functions the card cannot offer.  The JPKI keys only sign (no decrypt,
 * jpki-card.md §5.6) and the token is written only by the issuer; the card
 * cannot be seeded (C_GenerateRandom is in p11_sign.c).  Each answers
 * CKR_CRYPTOKI_NOT_INITIALIZED first, like every entry point, then the
 * PKCS#11 v2.40 code for "not offered".
 */
#include "p11_int.h"

static CK_RV
nosup(const char *fn, CK_RV answer)
{
	struct p11_frame	f;
	CK_RV			rv;

	if ((rv = p11_begin(&f, fn, 0, 0, CKR_OK)) == CKR_OK)
		rv = answer;
	return p11_end(&f, rv);
}

CK_RV
C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
    CK_UTF8CHAR_PTR pLabel)
{
	return nosup("C_InitToken", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	return nosup("C_InitPIN", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
    CK_ULONG_PTR pulOperationStateLen)
{
	return nosup("C_GetOperationState", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
    CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
    CK_OBJECT_HANDLE hAuthenticationKey)
{
	return nosup("C_SetOperationState", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
    CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject)
{
	return nosup("C_CreateObject", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR
    phNewObject)
{
	return nosup("C_CopyObject", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	return nosup("C_DestroyObject", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	return nosup("C_SetAttributeValue", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hKey)
{
	return nosup("C_EncryptInit", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
    CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
	return nosup("C_Encrypt", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG
    ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	return nosup("C_EncryptUpdate", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
    CK_ULONG_PTR pulLastEncryptedPartLen)
{
	return nosup("C_EncryptFinal", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hKey)
{
	return nosup("C_DecryptInit", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData, CK_ULONG
    ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	return nosup("C_Decrypt", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
    CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	return nosup("C_DecryptUpdate", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart,
    CK_ULONG_PTR pulLastPartLen)
{
	return nosup("C_DecryptFinal", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
	return nosup("C_DigestKey", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_SignRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hKey)
{
	return nosup("C_SignRecoverInit", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_SignRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG
    ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return nosup("C_SignRecover", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hKey)
{
	return nosup("C_VerifyInit", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
    CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	return nosup("C_Verify", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG
    ulPartLen)
{
	return nosup("C_VerifyUpdate", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG
    ulSignatureLen)
{
	return nosup("C_VerifyFinal", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_VerifyRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hKey)
{
	return nosup("C_VerifyRecoverInit", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_VerifyRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG
    ulSignatureLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	return nosup("C_VerifyRecover", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DigestEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
    CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR
    pulEncryptedPartLen)
{
	return nosup("C_DigestEncryptUpdate", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DecryptDigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR
    pEncryptedPart, CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
    CK_ULONG_PTR pulPartLen)
{
	return nosup("C_DecryptDigestUpdate", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_SignEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG
    ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	return nosup("C_SignEncryptUpdate", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DecryptVerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR
    pEncryptedPart, CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
    CK_ULONG_PTR pulPartLen)
{
	return nosup("C_DecryptVerifyUpdate", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR
    phKey)
{
	return nosup("C_GenerateKey", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
    CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG
    ulPrivateKeyAttributeCount, CK_OBJECT_HANDLE_PTR phPublicKey,
    CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	return nosup("C_GenerateKeyPair", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey, CK_BYTE_PTR
    pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	return nosup("C_WrapKey", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey, CK_ULONG
    ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount,
    CK_OBJECT_HANDLE_PTR phKey)
{
	return nosup("C_UnwrapKey", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
    CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG
    ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	return nosup("C_DeriveKey", CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	return nosup("C_SeedRandom", CKR_RANDOM_SEED_NOT_SUPPORTED);
}

CK_RV
C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	return nosup("C_GetFunctionStatus", CKR_FUNCTION_NOT_PARALLEL);
}

CK_RV
C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	return nosup("C_CancelFunction", CKR_FUNCTION_NOT_PARALLEL);
}
