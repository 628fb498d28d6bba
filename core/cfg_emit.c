/* cfg_emit.c - resolved config sections as YAML (cfg_emit_section, see
 * cfg.h). */
#include "core/cfg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- emit ------------------------------------------------------------- */

/* Shortest of %.15g, %.16g, %.17g that reads back as the same double. */
static void fmt_double(double v, char *buf, size_t size)
{
	int prec;

	if (isnan(v)) {
		snprintf(buf, size, ".nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v > 0 ? ".inf" : "-.inf");
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, size, "%.17g", v);
}

/* A plain scalar is used for identifier- and path-like strings that YAML
 * would not read as null, bool or number. */
static bool str_needs_quotes(const char *s)
{
	static const char *const reserved[] = {
		"null", "true", "false", "yes", "no", "on", "off", "y", "n",
	};
	const char *p;
	char *end;
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	      *s == '_' || *s == '/'))
		return true;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_-./", *p)))
			return true;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcasecmp(s, reserved[i]))
			return true;
	strtod(s, &end); /* "inf", "nan", "infinity" */
	return *end == '\0';
}

static void emit_str(FILE *out, const char *s)
{
	const unsigned char *p;

	if (!str_needs_quotes(s)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\x%02x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void emit_value(FILE *out, const cfg_field *f, const void *src)
{
	char buf[64];
	int i;

	switch (f->type) {
	case CFG_INT: {
		int v;

		memcpy(&v, src, sizeof(v));
		fprintf(out, "%d", v);
		break;
	}
	case CFG_FLOAT: {
		double v;

		memcpy(&v, src, sizeof(v));
		fmt_double(v, buf, sizeof(buf));
		fputs(buf, out);
		break;
	}
	case CFG_BOOL: {
		bool v;

		memcpy(&v, src, sizeof(v));
		fputs(v ? "true" : "false", out);
		break;
	}
	case CFG_STR:
	case CFG_ENUM:
		emit_str(out, src);
		break;
	case CFG_INT_LIST: {
		const cfg_ilist *l = src;

		fputc('[', out);
		for (i = 0; i < l->n && i < CFG_LIST_MAX; i++)
			fprintf(out, "%s%d", i ? ", " : "", l->v[i]);
		fputc(']', out);
		break;
	}
	case CFG_FLOAT_LIST: {
		const cfg_flist *l = src;

		fputc('[', out);
		for (i = 0; i < l->n && i < CFG_LIST_MAX; i++) {
			fmt_double(l->v[i], buf, sizeof(buf));
			fprintf(out, "%s%s", i ? ", " : "", buf);
		}
		fputc(']', out);
		break;
	}
	}
}

void cfg_emit_section(FILE *out, int indent, const cfg_field *fields,
		      size_t n_fields, const void *in)
{
	size_t i;

	for (i = 0; i < n_fields; i++) {
		fprintf(out, "%*s%s: ", indent, "", fields[i].key);
		emit_value(out, &fields[i], (const char *)in + fields[i].offset);
		fputc('\n', out);
	}
}
