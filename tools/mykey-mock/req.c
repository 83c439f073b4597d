/*
 * Copyright (c) 2026 The libjpki developers.
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Request helpers for the handlers, transport-free: headers and query
 * arguments (through the transport's lookup), the JSON body, scopes, and
 * the answer (JSON or RFC 9457 problem).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mock.h"

/* Handlers see headers and arguments through the transport's lookup. */
const char *
req_header(struct mm_req *r, const char *name)
{
	return r->lookup != NULL ? r->lookup(r, 0, name) : NULL;
}

const char *
req_arg(struct mm_req *r, const char *name)
{
	return r->lookup != NULL ? r->lookup(r, 1, name) : NULL;
}

int
req_problem(struct mm_req *r, unsigned int status, const char *code,
    const char *detail)
{
	static const struct {
		unsigned int	 status;
		const char	*title;
	} titles[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 409, "Conflict" },
		{ 410, "Gone" }, { 413, "Content Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
	};
	const char *title = "Error";
	char type[96];
	size_t i;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		if (titles[i].status == status)
			title = titles[i].title;
	}
	json_decref(r->resp);
	(void)snprintf(type, sizeof(type), "urn:mykey-mock:problem:%s", code);
	r->resp = json_pack("{s:s,s:s,s:i,s:s,s:s}", "type", type, "title",
	    title, "status", (int)status, "code", code, "request_id",
	    r->request_id);
	if (r->resp != NULL && detail != NULL)
		(void)json_object_set_new(r->resp, "detail",
		    json_string(detail));
	r->status = status;
	(void)snprintf(r->code, sizeof(r->code), "%s", code);
	return -1;
}

int
req_ok(struct mm_req *r, unsigned int status, json_t *body)
{
	json_decref(r->resp);
	r->resp = body;
	r->status = status;
	r->code[0] = '\0';
	if (body == NULL)
		return req_problem(r, 500, "INTERNAL", "out of memory");
	return 0;
}

/* Scopes are a space-separated list. */
int
req_scope(struct mm_req *r, const char *scope)
{
	const char *p = r->scopes;
	size_t n = strlen(scope);

	while ((p = strstr(p, scope)) != NULL) {
		if ((p == r->scopes || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

/* Forget a response before the request runs again (store.h retry). */
void
req_reset(struct mm_req *r)
{
	json_decref(r->resp);
	r->resp = NULL;
	free(r->raw);
	r->raw = NULL;
	r->raw_len = 0;
	r->raw_type = NULL;
	r->status = 500;
	r->code[0] = r->retry_after[0] = '\0';
	r->replayed = r->drop = r->commit_on_error = 0;
	r->consent_id[0] = r->consent_purpose[0] = r->consent_terms[0] = '\0';
	r->consent_at = 0;
}

/*
 * A JSON body must say so (415 otherwise) and stay within the nesting
 * cap (400): the parser is never handed 100,000 brackets.
 */
int
req_body_check(struct mm_req *r)
{
	if (r->body_len == 0)
		return 0;
	if (!req_is_json_type(req_header(r, "Content-Type")))
		return req_problem(r, 415, "UNSUPPORTED_MEDIA_TYPE",
		    "the body must be application/json");
	if (!req_json_depth_ok(r->body, r->body_len, r->srv->cfg.json_depth))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "JSON nested too deeply");
	return 0;
}

/* The body as a JSON object in r->json (400 when it is not one). */
int
req_body_json(struct mm_req *r)
{
	if (r->body_len == 0)
		return 0;
	r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES,
	    NULL);
	if (r->json == NULL || !json_is_object(r->json))
		return req_problem(r, 400, "INVALID_REQUEST",
		    "body is not a JSON object");
	return 0;
}

void
mock_req_clear(struct mm_req *r)
{
	json_decref(r->json);
	json_decref(r->resp);
	free(r->body);
	free(r->raw);
	r->json = r->resp = NULL;
	r->body = NULL;
	r->raw = NULL;
}
