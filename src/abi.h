/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Growable value structs (the convention in include/jpki/jpki.h): every
 * struct the caller allocates and the library fills or reads starts with
 * size_t size, set by the caller to sizeof the struct it was compiled
 * with.  The library
 *   - refuses a size smaller than the 1.0 layout (JPKI_ERR_ARG, logged),
 *   - writes only what lies within size (a caller built against an older,
 *     shorter header keeps working with a newer library), and
 *   - never touches bytes past its own sizeof (a caller built against a
 *     newer, longer header keeps its tail).
 * The 1.0 layout of each struct is named here once: its last 1.0 member.
 * A member added later is read or written only after JPKI_STRUCT_HAS().
 */
#ifndef JPKI_ABI_H
#define JPKI_ABI_H

#include <stddef.h>
#include <string.h>

#include <jpki/jpki.h>
#include <jpki/cert.h>
#include <jpki/kiosk.h>
#include <jpki/platform.h>

#include "log.h"

/* Bytes of type up to and including member last. */
#define JPKI_STRUCT_END(type, last) \
	(offsetof(type, last) + sizeof(((type *)0)->last))

#define ABI_ROW(type, last)	type: JPKI_STRUCT_END(type, last)
/* The 1.0 layout: size must cover at least this much. */
#define ABI_MIN(p) _Generic(*(p),					\
	ABI_ROW(jpki_token_info_t, fw_version),				\
	ABI_ROW(jpki_stats_t, extended_apdus),				\
	ABI_ROW(jpki_text_attrs_t, sex),				\
	ABI_ROW(jpki_text_raw_t, len),					\
	ABI_ROW(jpki_visual_raw_t, cvc_len),				\
	ABI_ROW(jpki_visual_face_t, code_image),			\
	ABI_ROW(jpki_cert_attrs_t, address_flags),			\
	ABI_ROW(jpki_verify_result_t, reason),				\
	ABI_ROW(jpki_rev_result_t, detail),				\
	ABI_ROW(jpki_textap_result_t, reason),				\
	ABI_ROW(jpki_cms_verify_result_t, reason),			\
	ABI_ROW(jpki_visualap_result_t, reason),			\
	ABI_ROW(jpki_kiosk_opts_t, verify),				\
	ABI_ROW(jpki_kiosk_event_t, elapsed_ms),			\
	ABI_ROW(jpki_platform_opts_t, force_last_try),			\
	ABI_ROW(jpki_consent_t, agreed_at),				\
	ABI_ROW(jpki_platform_result_t, json),				\
	ABI_ROW(jpki_queue_stats_t, pending))

static inline int
abi_check(size_t size, size_t min, const char *fn)
{
	if (size >= min)
		return JPKI_OK;
	log_debug("%s: struct size %zu is below its 1.0 layout (%zu bytes): "
	    "set .size = sizeof the struct (JPKI_INIT)", fn, size, min);
	return JPKI_ERR_ARG;
}

/* JPKI_OK if p is not NULL and p->size covers the 1.0 layout. */
#define JPKI_STRUCT_OK(p) \
	abi_check((p) != NULL ? (p)->size : 0, ABI_MIN(p), __func__)

/* 1 if the caller's struct is long enough to hold member m. */
#define JPKI_STRUCT_HAS(p, m) \
	((p)->size >= offsetof(__typeof__(*(p)), m) + sizeof((p)->m))

/* Zero what both sides know of *p, keeping p->size. */
static inline void
abi_zero(void *p, size_t lib_size)
{
	size_t size = *(size_t *)p;
	size_t n = size < lib_size ? size : lib_size;

	if (n > sizeof(size_t))
		memset((char *)p + sizeof(size_t), 0, n - sizeof(size_t));
}
#define JPKI_STRUCT_ZERO(p)	abi_zero((p), sizeof(*(p)))

/* As abi_zero, for structs that held personal data or secrets. */
static inline void
abi_wipe(void *p, size_t lib_size)
{
	size_t size = *(size_t *)p;
	size_t n = size < lib_size ? size : lib_size;

	if (n > sizeof(size_t))
		jpki_secure_zero((char *)p + sizeof(size_t),
		    n - sizeof(size_t));
}
#define JPKI_STRUCT_WIPE(p)	abi_wipe((p), sizeof(*(p)))

/* Copy a library-built struct into the caller's, within both sizes. */
static inline void
abi_copy(void *dst, const void *src, size_t lib_size)
{
	size_t size = *(size_t *)dst;
	size_t n = size < lib_size ? size : lib_size;

	if (n > sizeof(size_t))
		memcpy((char *)dst + sizeof(size_t),
		    (const char *)src + sizeof(size_t), n - sizeof(size_t));
}
#define JPKI_STRUCT_COPY(dst, src)	abi_copy((dst), (src), sizeof(*(src)))

/*
 * Copy the caller's input struct (options) into a zeroed one of ours,
 * within the caller's size: members it does not know stay 0 (defaults).
 */
static inline void
abi_copy_in(void *dst, const void *src, size_t lib_size)
{
	size_t size = *(const size_t *)src;
	size_t n = size < lib_size ? size : lib_size;

	memset(dst, 0, lib_size);
	if (n > sizeof(size_t))
		memcpy((char *)dst + sizeof(size_t),
		    (const char *)src + sizeof(size_t), n - sizeof(size_t));
	*(size_t *)dst = lib_size;
}
#define JPKI_STRUCT_COPY_IN(dst, src) \
	abi_copy_in((dst), (src), sizeof(*(dst)))

#endif /* JPKI_ABI_H */
