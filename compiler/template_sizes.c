/* template_sizes.c -- one generated text from the texts generated at the
 * probe values of the sizes (template_sizes.h). */
#include "template_sizes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_grow.h"

/* the three values each size takes alone, above TSIZE_MIN_PROBE: odd and
 * even, and every residue modulo 3 */
static const long probe_steps[3] = {1, 2, 5};

size_t tsize_n_probes(size_t k)
{
	return 1 + 3 * k + (k > 1 ? 1 : 0);
}

long tsize_min_size(size_t size, int level)
{
	long base = TSIZE_MIN_PROBE;
	for (int l = 0; l < level; l++)
		base *= 4;
	return base + 13 * (long)size;
}

long tsize_probe(size_t p, size_t size, size_t k, int level)
{
	long base = tsize_min_size(size, level);
	if (p >= 1 && p <= 3 * k)
		return (p - 1) / 3 == size ? base + probe_steps[(p - 1) % 3] : base;
	if (p == 3 * k + 1)   /* every size moved at once */
		return base + 3 + (long)size;
	return base;
}

/* ---- tokens ------------------------------------------------------------- */

typedef enum { TOK_END, TOK_MARK, TOK_NUMBER, TOK_OTHER } tok_kind;

typedef struct token {
	tok_kind kind;
	size_t len;
	int real;        /* a number with a point or an exponent */
} token;

/* The token at t (identifiers are one token, so their digits are not
 * numbers). */
static token next_token(const char *t)
{
	token k = {TOK_OTHER, 1, 0};
	size_t n = 0;
	if (!t[0]) {
		k.kind = TOK_END;
		k.len = 0;
		return k;
	}
	if (t[0] == TSIZE_FIXED_MARK) {
		k.kind = TOK_MARK;
		return k;
	}
	if (isalpha((unsigned char)t[0]) || t[0] == '_') {
		while (isalnum((unsigned char)t[n]) || t[n] == '_')
			n++;
		k.len = n;
		return k;
	}
	if (!isdigit((unsigned char)t[0]))
		return k;
	k.kind = TOK_NUMBER;
	while (isdigit((unsigned char)t[n]))
		n++;
	if (t[n] == '.' && isdigit((unsigned char)t[n + 1])) {
		k.real = 1;
		for (n++; isdigit((unsigned char)t[n]); n++)
			;
	}
	if ((t[n] == 'e' || t[n] == 'E')
	    && (isdigit((unsigned char)t[n + 1])
	        || ((t[n + 1] == '-' || t[n + 1] == '+') && isdigit((unsigned char)t[n + 2])))) {
		k.real = 1;
		for (n += 2; isdigit((unsigned char)t[n]); n++)
			;
	}
	while (t[n] == 'u' || t[n] == 'U' || t[n] == 'l' || t[n] == 'L')
		n++;
	k.len = n;
	return k;
}

/* ---- output ------------------------------------------------------------- */

typedef struct text {
	char *s;
	size_t len, cap;
} text;

static int put(text *o, const char *s, size_t n)
{
	if (!ARRAY_GROW(o->s, o->cap, o->len + n + 1))
		return 0;
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = 0;
	return 1;
}

static int put_str(text *o, const char *s)
{
	return put(o, s, strlen(s));
}

/* a + sum b[k]*size_k: in code "(a + b * (sz)->NAME)", in a comment
 * "a + b*NAME", sizes first */
static int put_affine(text *o, long a, const long *b, size_t k, const char *const *names,
                      int comment)
{
	char part[160];
	int first = 1;
	int single = a == 0;   /* one size, coefficient 1: no parentheses */
	for (size_t q = 0; q < k; q++)
		if (b[q] != 0 && b[q] != 1)
			single = 0;
	for (size_t q = 0, seen = 0; q < k; q++)
		if (b[q] != 0 && ++seen > 1)
			single = 0;
	if (!comment && !single && !put_str(o, "("))
		return 0;
	for (size_t q = 0; q < k; q++) {
		long c = b[q];
		char name[96];
		if (c == 0)
			continue;
		snprintf(name, sizeof name, comment ? "%s" : "(sz)->%s", names[q]);
		if (first) {
			if (c == 1)
				snprintf(part, sizeof part, "%s", name);
			else if (c == -1)
				snprintf(part, sizeof part, "-%s", name);
			else
				snprintf(part, sizeof part, comment ? "%ld*%s" : "%ld * %s", c, name);
		} else {
			long m = c < 0 ? -c : c;
			if (m == 1)
				snprintf(part, sizeof part, " %c %s", c < 0 ? '-' : '+', name);
			else
				snprintf(part, sizeof part, comment ? " %c %ld*%s" : " %c %ld * %s",
				         c < 0 ? '-' : '+', m, name);
		}
		first = 0;
		if (!put_str(o, part))
			return 0;
	}
	if (a != 0) {
		snprintf(part, sizeof part, " %c %ld", a < 0 ? '-' : '+', a < 0 ? -a : a);
		if (!put_str(o, part))
			return 0;
	}
	return comment || single || put_str(o, ")");
}

/* ---- the merge ---------------------------------------------------------- */

static void failure(tsize_failure *why, tsize_problem problem, size_t probe, const char *base,
                    size_t at)
{
	size_t start = at, end = at, n = 0;
	while (start > 0 && base[start - 1] != '\n')
		start--;
	while (base[end] && base[end] != '\n')
		end++;
	while (start < end && isspace((unsigned char)base[start]))
		start++;
	for (size_t q = start; q < end && n + 1 < sizeof why->line; q++)
		why->line[n++] = base[q] == TSIZE_FIXED_MARK ? ' ' : base[q];
	why->line[n] = 0;
	why->problem = problem;
	why->probe = probe;
}

/* The number of each probe as a long (suffixes ignored). */
static void numbers(const char *const *texts, const size_t *pos, size_t n_probes, long *v)
{
	for (size_t p = 0; p < n_probes; p++)
		v[p] = strtol(texts[p] + pos[p], NULL, 10);
}

hessc_status tsize_merge(const char *const *texts, size_t k, const char *const *names, int level,
                         char **out, tsize_failure *why)
{
	size_t n_probes = tsize_n_probes(k);
	size_t pos[3 * TSIZE_MAX_SIZES + 2] = {0};
	long v[3 * TSIZE_MAX_SIZES + 2], b[TSIZE_MAX_SIZES];
	text o = {NULL, 0, 0};
	int in_comment = 0, in_string = 0, fixed = 0;
	*out = NULL;
	if (k == 0 || k > TSIZE_MAX_SIZES)
		return HESSC_ERR_USAGE;
	if (!put(&o, "", 0))
		return HESSC_ERR_NOMEM;
	for (;;) {
		token t[3 * TSIZE_MAX_SIZES + 2] = {{TOK_END, 0, 0}};
		int same = 1, any_real = 0;
		for (size_t p = 0; p < n_probes; p++) {
			t[p] = next_token(texts[p] + pos[p]);
			if (t[p].kind != t[0].kind)
				same = 0;
			any_real |= t[p].real;
		}
		if (!same) {
			for (size_t p = 1; p < n_probes; p++)
				if (t[p].kind != t[0].kind) {
					failure(why, TSIZE_STRUCTURE, p, texts[0], pos[0]);
					break;
				}
			free(o.s);
			return HESSC_ERR_MODEL;
		}
		if (t[0].kind == TOK_END)
			break;
		for (size_t p = 1; p < n_probes; p++)
			if (t[p].len != t[0].len || memcmp(texts[p] + pos[p], texts[0] + pos[0], t[0].len))
				same = 0;
		if (t[0].kind == TOK_MARK) {
			fixed = 1;
		} else if (t[0].kind == TOK_NUMBER && !same) {
			tsize_problem problem = fixed ? TSIZE_FIXED : any_real ? TSIZE_REAL
			                        : in_string ? TSIZE_STRUCTURE : TSIZE_NOT_AFFINE;
			long a;
			int affine = !fixed && !any_real && !in_string;
			numbers(texts, pos, n_probes, v);
			a = v[0];
			for (size_t q = 0; q < k; q++) {
				b[q] = v[1 + 3 * q] - v[0];   /* probe 1+3q moves size q by one */
				a -= b[q] * tsize_min_size(q, level);
			}
			for (size_t p = 0; affine && p < n_probes; p++) {
				long e = a;
				for (size_t q = 0; q < k; q++)
					e += b[q] * tsize_probe(p, q, k, level);
				if (e != v[p]) {
					affine = 0;
					failure(why, TSIZE_NOT_AFFINE, p, texts[0], pos[0]);
				}
			}
			if (!affine && in_comment) {
				if (!put_str(&o, "(varies)"))
					goto nomem;
			} else if (!affine) {
				if (problem != TSIZE_NOT_AFFINE)
					failure(why, problem, 1, texts[0], pos[0]);
				free(o.s);
				return HESSC_ERR_MODEL;
			} else if (!put_affine(&o, a, b, k, names, in_comment)) {
				goto nomem;
			}
			fixed = 0;
		} else if (!same) {
			for (size_t p = 1; p < n_probes; p++)
				if (t[p].len != t[0].len || memcmp(texts[p] + pos[p], texts[0] + pos[0], t[0].len)) {
					failure(why, TSIZE_STRUCTURE, p, texts[0], pos[0]);
					break;
				}
			free(o.s);
			return HESSC_ERR_MODEL;
		} else {
			const char *s = texts[0] + pos[0];
			if (!put(&o, s, t[0].len))
				goto nomem;
			if (t[0].kind == TOK_OTHER) {
				if (!in_string && !in_comment && s[0] == '/' && s[1] == '*') {
					in_comment = 1;
					/* the '*' is its own token: step over it so that
					 * the '*' of "/" "*" "/" is not taken as the end */
					for (size_t p = 0; p < n_probes; p++)
						pos[p] += 1;
					if (!put(&o, "*", 1))
						goto nomem;
				} else if (in_comment && s[0] == '*' && s[1] == '/') {
					in_comment = 0;
					for (size_t p = 0; p < n_probes; p++)
						pos[p] += 1;
					if (!put(&o, "/", 1))
						goto nomem;
				} else if (!in_comment && s[0] == '"') {
					in_string = !in_string;
				} else if (in_string && s[0] == '\\' && s[1]) {
					for (size_t p = 0; p < n_probes; p++)
						pos[p] += 1;
					if (!put(&o, s + 1, 1))
						goto nomem;
				}
			}
			if (t[0].kind == TOK_NUMBER)
				fixed = 0;
		}
		for (size_t p = 0; p < n_probes; p++)
			pos[p] += t[p].len;
	}
	*out = o.s;
	return HESSC_OK;
nomem:
	free(o.s);
	return HESSC_ERR_NOMEM;
}
