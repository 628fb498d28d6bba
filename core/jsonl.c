#include "core/jsonl.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "core/fileio.h"

/* "what" for the value of a JSON type, in messages. */
static const char *jsonl_type_name(enum json_type t)
{
	switch (t) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double:
	case json_type_int: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "an unknown value";
}

/* A strict tokener; NULL when out of memory. */
static json_tokener *jsonl_tokener_new(void)
{
	json_tokener *tok = json_tokener_new_ex(JSONL_DEPTH);

	if (tok)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_ALLOW_TRAILING_CHARS);
	return tok;
}

/* A wanted key's value v (NULL: JSON null) into k: 0, or -2 with why. */
static int jsonl_take(jsonl_key *k, json_object *v, char *why, size_t why_size)
{
	enum json_type t = json_object_get_type(v);
	bool is_num = t == json_type_int || t == json_type_double;

	k->found = true;
	if (t == json_type_null) {
		k->null = true;
		return 0;
	}
	if (k->type == JSONL_STRING ? t != json_type_string : !is_num) {
		snprintf(why, why_size, "'%s' must be %s, got %s", k->key,
			 k->type == JSONL_STRING ? "a string" : "a number",
			 jsonl_type_name(t));
		return -2;
	}
	if (k->type == JSONL_STRING) {
		const char *s = json_object_get_string(v);
		size_t len = (size_t)json_object_get_string_len(v);

		if (len >= JSONL_STR_MAX) /* cut before a split character */
			for (len = JSONL_STR_MAX - 1;
			     len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80;)
				len--;
		memcpy(k->str, s, len);
		k->str[len] = '\0';
		return 0;
	}
	k->num = json_object_get_double(v);
	if (isnan(k->num))
		snprintf(why, why_size, "'%s' must be a number or null, got NaN",
			 k->key);
	else if (isinf(k->num))
		snprintf(why, why_size, "'%s' is beyond a double's range", k->key);
	/* json-c saturates integers beyond 64 bits at these two values */
	else if (t == json_type_int && (json_object_get_int64(v) == INT64_MIN ||
					json_object_get_uint64(v) == UINT64_MAX))
		snprintf(why, why_size, "'%s' is beyond 64-bit integers", k->key);
	else
		return 0;
	return -2;
}

/* jsonl_parse with a tokener of jsonl_tokener_new(). */
static int jsonl_parse_with(json_tokener *tok, const char *line,
			    jsonl_key *keys, size_t n, char *why,
			    size_t why_size)
{
	size_t len = strlen(line), start = strspn(line, " \t\r"), end;
	enum json_tokener_error e;
	json_object *obj, *v;
	int rc = 0;

	for (size_t j = 0; j < n; j++) {
		keys[j].found = keys[j].null = false;
		keys[j].num = NAN;
		keys[j].str[0] = '\0';
	}
	if (start == len)
		return 1;
	if (len >= INT_MAX) {
		snprintf(why, why_size, "the line is longer than 2 GiB");
		return -2;
	}
	json_tokener_reset(tok);
	obj = json_tokener_parse_ex(tok, line, (int)len + 1); /* + its NUL */
	end = json_tokener_get_parse_end(tok);
	if ((e = json_tokener_get_error(tok)) != json_tokener_success) {
		snprintf(why, why_size, "%zu: %s", end + 1, json_tokener_error_desc(e));
		return -1;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(why, why_size, "%zu: expected an object, got %s",
			 start + 1, jsonl_type_name(json_object_get_type(obj)));
		rc = -1;
	} else if (end < len) { /* json-c stops after the first value */
		snprintf(why, why_size, "%zu: unexpected characters after the object",
			 end + 1);
		rc = -1;
	}
	for (size_t j = 0; rc == 0 && j < n; j++)
		if (json_object_object_get_ex(obj, keys[j].key, &v))
			rc = jsonl_take(&keys[j], v, why, why_size);
	json_object_put(obj);
	return rc;
}

int jsonl_parse(const char *line, jsonl_key *keys, size_t n, char *why,
		size_t why_size)
{
	json_tokener *tok = jsonl_tokener_new();
	int rc;

	if (!tok) {
		snprintf(why, why_size, "out of memory");
		return -2;
	}
	rc = jsonl_parse_with(tok, line, keys, n, why, why_size);
	json_tokener_free(tok);
	return rc;
}

int jsonl_read(const char *path, jsonl_key *keys, size_t n, jsonl_fn fn,
	       void *ctx, ej_err *err)
{
	char *text, why[160];
	json_tokener *tok;
	size_t len;
	int line = 0, rc = 0;

	if (fio_read_all(path, &text, &len, err) < 0)
		return -1;
	if (!(tok = jsonl_tokener_new())) {
		free(text);
		return ej_fail(err, EJ_EXIT_RUN, "reading '%s': out of memory", path);
	}
	for (char *s = text; rc == 0 && s < text + len;) {
		char *nl = memchr(s, '\n', (size_t)(text + len - s));
		int got;

		line++;
		if (!nl)
			break; /* a line still being written */
		*nl = '\0';
		if (strlen(s) != (size_t)(nl - s))
			rc = ej_fail(err, EJ_EXIT_USAGE,
				     "%s:%d: a NUL byte in the line", path, line);
		else if ((got = jsonl_parse_with(tok, s, keys, n, why,
						 sizeof(why))) < 0)
			rc = ej_fail(err, EJ_EXIT_USAGE, "%s:%d:%s%s", path,
				     line, got == -1 ? "" : " ", why);
		else if (got == 0)
			rc = fn(ctx, keys, n, line, err);
		s = nl + 1;
	}
	json_tokener_free(tok);
	free(text);
	return rc;
}

/* Bytes of the UTF-8 sequence that lead byte c starts (1 for anything
 * else: ASCII, a stray continuation byte, an invalid lead). */
static size_t jsonl_utf8_len(unsigned char c)
{
	return c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

const char *jsonl_quote(const char *s, char *out, size_t cap)
{
	size_t n = 0, i = 0;

	out[n++] = '"';
	while (s[i]) {
		unsigned char c = (unsigned char)s[i];
		char piece[8];
		size_t len, adv = 1; /* bytes written, bytes of s taken */

		if (c == '"' || c == '\\') {
			piece[0] = '\\';
			piece[1] = (char)c;
			len = 2;
		} else if (c < 0x20) {
			snprintf(piece, sizeof(piece), "\\u%04x", c);
			len = 6;
		} else {
			len = jsonl_utf8_len(c);
			for (size_t k = 1; k < len; k++)
				if (!s[i + k]) /* cut short: take the lead alone */
					len = 1;
			memcpy(piece, s + i, len);
			adv = len;
		}
		if (n + len + 2 > cap) /* the piece, the closing quote, NUL */
			break;
		memcpy(out + n, piece, len);
		n += len;
		i += adv;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}
