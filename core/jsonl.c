#include "core/jsonl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

#define JSONL_DEPTH 64

typedef struct jp {
	const char *s;
	size_t i;
	char *why;
	size_t why_size;
} jp;

static int jp_fail(jp *p, const char *what)
{
	snprintf(p->why, p->why_size, "%zu: %s", p->i + 1, what);
	return -1;
}

static void jp_ws(jp *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r')
		p->i++;
}

static int jp_hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* A string at p->i ('"'); its characters to out (size; NULL: none),
 * escapes decoded, anything past ASCII in \u escapes as '?'. */
static int jp_string(jp *p, char *out, size_t size)
{
	size_t n = 0;

	if (p->s[p->i] != '"')
		return jp_fail(p, "expected a string");
	p->i++;
	for (;;) {
		unsigned char c = (unsigned char)p->s[p->i];

		if (c == '\0')
			return jp_fail(p, "unterminated string");
		if (c < 0x20)
			return jp_fail(p, "control character in a string");
		p->i++;
		if (c == '"')
			break;
		if (c == '\\') {
			const char *esc = "\"\\/bfnrt", *dec = "\"\\/\b\f\n\r\t";
			const char *at = strchr(esc, p->s[p->i]);

			if (p->s[p->i] == 'u') {
				for (int k = 1; k <= 4; k++)
					if (jp_hex(p->s[p->i + (size_t)k]) < 0) {
						p->i += (size_t)k;
						return jp_fail(p, "bad \\u escape");
					}
				c = '?';
				for (int k = 1, v = 0; k <= 4; k++) {
					v = v * 16 + jp_hex(p->s[p->i + (size_t)k]);
					if (k == 4 && v < 0x80)
						c = (unsigned char)v;
				}
				p->i += 5;
			} else if (p->s[p->i] && at) {
				c = (unsigned char)dec[at - esc];
				p->i++;
			} else {
				return jp_fail(p, "bad escape in a string");
			}
		}
		if (out && n + 1 < size)
			out[n++] = (char)c;
	}
	if (out && size)
		out[n] = '\0';
	return 0;
}

/* A number in JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int jp_number(jp *p, double *v)
{
	const char *s = p->s;
	size_t i = p->i, start = p->i;

	if (s[i] == '-')
		i++;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return jp_fail(p, "expected a value");
	if (s[i] == '.') {
		if (!(s[++i] >= '0' && s[i] <= '9')) {
			p->i = i;
			return jp_fail(p, "expected a digit after '.'");
		}
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (!(s[i] >= '0' && s[i] <= '9')) {
			p->i = i;
			return jp_fail(p, "expected a digit in the exponent");
		}
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	*v = strtod(s + start, NULL);
	p->i = i;
	return 0;
}

static int jp_object(jp *p, jsonl_key *keys, size_t n, int depth);

/* Past the opener of an object or array: 1 when it is empty (then past
 * its 'close' too), else 0. */
static int jp_empty(jp *p, char close)
{
	p->i++;
	jp_ws(p);
	if (p->s[p->i] != close)
		return 0;
	p->i++;
	return 1;
}

/* After a member: 1 past the 'close' that ends the list, 0 past a ',',
 * -1 on anything else. */
static int jp_next(jp *p, char close)
{
	char msg[32];

	jp_ws(p);
	if (p->s[p->i] == close || p->s[p->i] == ',')
		return p->s[p->i++] == close;
	snprintf(msg, sizeof(msg), "expected ',' or '%c'", close);
	return jp_fail(p, msg);
}

/* One value; k (NULL: skip it) gets it when it has the wanted type. */
static int jp_value(jp *p, jsonl_key *k, int depth)
{
	static const char *const lit[] = { "true", "false", "null" };
	char msg[128];
	double v = 0.0;
	int rc;

	jp_ws(p);
	if (depth > JSONL_DEPTH)
		return jp_fail(p, "nested too deeply");
	if (p->s[p->i] == '"') {
		if (k && k->type != JSONL_STRING) {
			snprintf(msg, sizeof(msg), "'%s' must be a number", k->key);
			return jp_fail(p, msg);
		}
		if (jp_string(p, k ? k->str : NULL, sizeof(k->str)) < 0)
			return -1;
		if (k)
			k->found = true;
		return 0;
	}
	if (k && k->type == JSONL_STRING && p->s[p->i] != 'n') {
		snprintf(msg, sizeof(msg), "'%s' must be a string", k->key);
		return jp_fail(p, msg);
	}
	if (p->s[p->i] == '{' || p->s[p->i] == '[') {
		if (k) {
			snprintf(msg, sizeof(msg), "'%s' must be a number", k->key);
			return jp_fail(p, msg);
		}
		if (p->s[p->i] == '{')
			return jp_object(p, NULL, 0, depth + 1);
		if (jp_empty(p, ']'))
			return 0;
		do {
			if (jp_value(p, NULL, depth + 1) < 0)
				return -1;
		} while ((rc = jp_next(p, ']')) == 0);
		return rc < 0 ? -1 : 0;
	}
	for (int l = 0; l < 3; l++) {
		size_t len = strlen(lit[l]);

		if (strncmp(p->s + p->i, lit[l], len) == 0) {
			if (k && l < 2) {
				snprintf(msg, sizeof(msg), "'%s' must be a number", k->key);
				return jp_fail(p, msg);
			}
			p->i += len;
			if (k) {
				k->found = k->null = true;
				k->num = NAN;
			}
			return 0;
		}
	}
	if (jp_number(p, &v) < 0)
		return -1;
	if (k) {
		k->found = true;
		k->num = v;
	}
	return 0;
}

/* An object at p->i; its top-level keys (depth 0) fill 'keys'. */
static int jp_object(jp *p, jsonl_key *keys, size_t n, int depth)
{
	char name[JSONL_STR_MAX];
	int rc;

	jp_ws(p);
	if (p->s[p->i] != '{')
		return jp_fail(p, "expected '{'");
	if (jp_empty(p, '}'))
		return 0;
	do {
		jsonl_key *k = NULL;

		jp_ws(p);
		if (jp_string(p, name, sizeof(name)) < 0)
			return -1;
		for (size_t j = 0; j < n; j++)
			if (strcmp(keys[j].key, name) == 0)
				k = &keys[j];
		jp_ws(p);
		if (p->s[p->i] != ':')
			return jp_fail(p, "expected ':' after a key");
		p->i++;
		if (jp_value(p, k, depth) < 0)
			return -1;
	} while ((rc = jp_next(p, '}')) == 0);
	return rc < 0 ? -1 : 0;
}

int jsonl_parse(const char *line, jsonl_key *keys, size_t n, char *why,
		size_t why_size)
{
	jp p = { line, 0, why, why_size };

	for (size_t j = 0; j < n; j++) {
		keys[j].found = keys[j].null = false;
		keys[j].num = NAN;
		keys[j].str[0] = '\0';
	}
	jp_ws(&p);
	if (!line[p.i])
		return 1;
	if (jp_object(&p, keys, n, 0) < 0)
		return -1;
	jp_ws(&p);
	if (line[p.i])
		return jp_fail(&p, "unexpected characters after the object");
	return 0;
}

int jsonl_read(const char *path, jsonl_key *keys, size_t n, jsonl_fn fn,
	       void *ctx, ej_err *err)
{
	char *text, why[160];
	size_t len;
	int line = 0, rc = 0;

	if (fio_read_all(path, &text, &len, err) < 0)
		return -1;
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
		else if ((got = jsonl_parse(s, keys, n, why, sizeof(why))) < 0)
			rc = ej_fail(err, EJ_EXIT_USAGE, "%s:%d:%s", path,
				     line, why);
		else if (got == 0)
			rc = fn(ctx, keys, n, line, err);
		s = nl + 1;
	}
	free(text);
	return rc;
}
