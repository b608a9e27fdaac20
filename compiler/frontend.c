/* frontend.c -- the front end's pipeline: read -> parse -> check -> lower,
 * then copy what outlives the compilation into the caller's model. */
#include "frontend.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "lower.h"
#include "parse.h"
#include "sema.h"
#include "template.h"

static hessc_status read_source(arena *a, const frontend_source *in, diag_sink *diags,
                                sema_source *out)
{
	out->path = in->path ? in->path : "<string>";
	if (in->text) {
		out->text = in->text;
		out->len = in->text_len;
		return HESSC_OK;
	}
	source_loc loc = { out->path, 0, 0 };
	FILE *f = fopen(in->path, "rb");
	if (!f) {
		diag_report(diags, DIAG_ERROR, loc, NULL, 0, "cannot open: %s", strerror(errno));
		return HESSC_ERR_USAGE;
	}
	hessc_status status = HESSC_OK;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (len < cap)
			break;
		char *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	if (!buf) {
		status = HESSC_ERR_NOMEM;
	} else if (ferror(f)) {
		diag_report(diags, DIAG_ERROR, loc, NULL, 0, "cannot read: %s", strerror(errno));
		status = HESSC_ERR_USAGE;
	} else {
		char *copy = arena_strndup(a, buf, len);
		if (!copy)
			status = HESSC_ERR_NOMEM;
		out->text = copy;
		out->len = len;
	}
	free(buf);
	fclose(f);
	return status;
}

static hessc_status split_defines(arena *a, const frontend_input *in, diag_sink *diags,
                                  sema_define **out)
{
	*out = arena_array(a, in->n_defines ? in->n_defines : 1, sizeof **out);
	if (!*out)
		return HESSC_ERR_NOMEM;
	for (size_t i = 0; i < in->n_defines; i++) {
		const char *text = in->defines[i];
		const char *eq = strchr(text, '=');
		size_t name_len = eq ? (size_t)(eq - text) : 0;
		int bad_name = name_len == 0;
		for (size_t k = 0; k < name_len; k++) {
			char c = text[k];
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
			      (k > 0 && c >= '0' && c <= '9')))
				bad_name = 1;
		}
		if (!eq || bad_name) {
			source_loc loc = { "<command line>", 1, 1 };
			diag_report(diags, DIAG_ERROR, loc, text, strlen(text),
			            "-D %s: NAME=VALUE is expected, with NAME a param's name", text);
			return HESSC_ERR_MODEL;
		}
		(*out)[i].text = text;
		(*out)[i].name = arena_strndup(a, text, name_len);
		(*out)[i].value = eq + 1;
		if (!(*out)[i].name)
			return HESSC_ERR_NOMEM;
	}
	return HESSC_OK;
}

static char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *start = slash ? slash + 1 : path;
	const char *dot = strrchr(start, '.');
	size_t len = dot && dot != start ? (size_t)(dot - start) : strlen(start);
	char *name = malloc(len + 1);
	if (name) {
		memcpy(name, start, len);
		name[len] = 0;
	}
	return name;
}

/* All names in one block: names[0] is the block (model_free frees it). */
static hessc_status make_names(sema *s, model *m)
{
	m->names = calloc(s->n ? s->n : 1, sizeof *m->names);
	if (!m->names)
		return HESSC_ERR_NOMEM;
	size_t cap = 1 << 12, len = 0;
	char *block = malloc(cap);
	size_t *offsets = malloc((s->n ? s->n : 1) * sizeof *offsets);
	hessc_status status = HESSC_ERR_NOMEM;
	if (!block || !offsets)
		goto done;
	size_t v = 0;
	for (size_t i = 0; i < s->var_syms.len; i++) {
		symbol *sym = s->var_syms.items[i];
		size_t count = sym->index ? sym->index->count : 1;
		for (size_t p = 0; p < count; p++, v++) {
			char key[512];
			value k[SEMA_MAX_DIM];
			key[0] = 0;
			if (sym->index) {
				set_member(sym->index, p, k);
				sema_format_key(key, sizeof key, k, sym->dim);
			}
			size_t need = strlen(sym->name) + strlen(key) + 3;
			if (len + need > cap) {
				while (len + need > cap)
					cap *= 2;
				char *bigger = realloc(block, cap);
				if (!bigger)
					goto done;
				block = bigger;
			}
			offsets[v] = len;
			if (sym->index)
				len += (size_t)sprintf(block + len, "%s[%s]", sym->name, key) + 1;
			else
				len += (size_t)sprintf(block + len, "%s", sym->name) + 1;
		}
	}
	for (size_t i = 0; i < s->n; i++)
		m->names[i] = block + offsets[i];
	if (s->n == 0)
		free(block);
	block = NULL;
	status = HESSC_OK;
done:
	free(block);
	free(offsets);
	return status;
}

/* i, j, k, l, then i5, i6, ...: the names subscript k is shown with. */
static void dummy_name(char *buf, size_t size, int k)
{
	static const char *const dummies[] = { "i", "j", "k", "l" };
	if (k < 4)
		snprintf(buf, size, "%s", dummies[k]);
	else
		snprintf(buf, size, "i%d", k + 1);
}

/* "name[i,j] at (i-1)*100 + (j-1), i in 1..10000, j in 1..100": where each
 * element of input `sym` lives in its array. */
static char *describe_layout(const symbol *sym)
{
	char buf[1024], num[64], name[16];
	size_t used = 0;
	const set_value *set = sym->index;
#define ADD(...) (used += used < sizeof buf ? (size_t)snprintf(buf + used, sizeof buf - used, __VA_ARGS__) : 0)
	if (!set) {
		ADD("%s, a scalar", sym->name);
		return strdup(buf);
	}
	ADD("%s[", sym->name);
	for (int k = 0; k < sym->dim; k++) {
		dummy_name(name, sizeof name, k);
		ADD("%s%s", k ? "," : "", name);
	}
	ADD("] at ");
	if (set->kind == SETV_LIST) {
		ADD("the position of its subscripts among the %zu members of its index set, "
		    "in the set's order", set->count);
		return strdup(buf);
	}
	int dims = set->kind == SETV_RANGE ? 1 : set->dim;
	for (int k = 0; k < dims; k++) {
		double lo = set->kind == SETV_RANGE ? set->lo : set->lo_k[k];
		double step = set->kind == SETV_RANGE ? set->step : set->step_k[k];
		size_t stride = 1;
		for (int l = k + 1; l < dims; l++)
			stride *= set->len_k[l];
		dummy_name(name, sizeof name, k);
		snprintf(num, sizeof num, "%.17g", lo);
		ADD("%s(%s-%s)", k ? " + " : "", name, num);
		if (step != 1)
			ADD("/%.17g", step);
		if (stride != 1)
			ADD("*%zu", stride);
	}
	for (int k = 0; k < dims; k++) {
		double lo = set->kind == SETV_RANGE ? set->lo : set->lo_k[k];
		double step = set->kind == SETV_RANGE ? set->step : set->step_k[k];
		size_t len = set->kind == SETV_RANGE ? set->count : set->len_k[k];
		dummy_name(name, sizeof name, k);
		ADD(", %s in %.17g..%.17g", name, lo, lo + (double)(len ? len - 1 : 0) * step);
		if (step != 1)
			ADD(" by %.17g", step);
	}
#undef ADD
	return strdup(buf);
}

static hessc_status make_inputs(sema *s, model *m)
{
	m->n_inputs = s->inputs.len;
	if (m->n_inputs == 0)
		return HESSC_OK;
	m->inputs = calloc(m->n_inputs, sizeof *m->inputs);
	if (!m->inputs)
		return HESSC_ERR_NOMEM;
	for (size_t i = 0; i < m->n_inputs; i++) {
		const symbol *sym = s->inputs.items[i];
		model_input *in = &m->inputs[i];
		in->name = strdup(sym->name);
		in->dim = sym->dim;
		in->count = sym->index ? sym->index->count : 1;
		in->layout = describe_layout(sym);
		if (!in->name || !in->layout)
			return HESSC_ERR_NOMEM;
	}
	return HESSC_OK;
}

static hessc_status make_model(sema *s, const frontend_input *in, node_id root, model **out)
{
	model *m = calloc(1, sizeof *m);
	if (!m)
		return HESSC_ERR_NOMEM;
	const sema_source *src = &s->sources[0];
	m->name = base_name(src->path);
	m->n = s->n;
	m->objective_name = strdup(s->objective->name);
	m->maximize = s->objective->decl->op == 1;
	m->objective = root;
	m->objective_loc = (source_loc){ in->model.path ? in->model.path : "<string>",
	                                 s->objective->decl->line, s->objective->decl->col };
	m->source = malloc(src->len + 1);
	if (m->source) {
		memcpy(m->source, src->text, src->len);
		m->source[src->len] = 0;
		m->source_len = src->len;
	}
	/* hand over the variables' arrays */
	size_t n = s->n ? s->n : 1;
	m->x0 = s->x0 ? s->x0 : calloc(n, sizeof(double));
	m->lower = s->lower ? s->lower : calloc(n, sizeof(double));
	m->upper = s->upper ? s->upper : calloc(n, sizeof(double));
	s->x0 = s->lower = s->upper = NULL;
	hessc_status status = HESSC_ERR_NOMEM;
	if (m->name && m->objective_name && m->source && m->x0 && m->lower && m->upper)
		status = make_names(s, m);
	if (status == HESSC_OK)
		status = make_inputs(s, m);
	if (status != HESSC_OK) {
		model_free(m);
		return status;
	}
	*out = m;
	return HESSC_OK;
}

hessc_status frontend_build(const frontend_input *in, diag_sink *diags, graph *g, model **out)
{
	*out = NULL;
	arena a;
	arena_init(&a);
	sema s;
	memset(&s, 0, sizeof s);
	hessc_status status;
	size_t nsources = 1 + in->n_data;
	sema_source *sources = arena_array(&a, nsources, sizeof *sources);
	ast_program prog = { 0 };
	sema_define *defines = NULL;
	tmpl_set *loops = NULL;
	if (!sources) {
		status = HESSC_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < nsources; i++) {
		const frontend_source *src = i == 0 ? &in->model : &in->data[i - 1];
		status = read_source(&a, src, diags, &sources[i]);
		if (status != HESSC_OK)
			goto done;
	}
	for (size_t i = 0; i < nsources; i++) {
		a.tag = (int)i;
		status = parse_source(&a, sources[i].path, sources[i].text, sources[i].len,
		                      i > 0, diags, &prog);
		if (status != HESSC_OK)
			goto done;
	}
	status = split_defines(&a, in, diags, &defines);
	if (status != HESSC_OK)
		goto done;
	s.arena = &a;
	s.diags = diags;
	s.sources = sources;
	s.nsources = nsources;
	s.defines = defines;
	s.ndefines = in->n_defines;
	s.want_objective = in->objective;
	s.work_limit = in->work_limit;
	s.allow_inputs = in->run_time_inputs;
	status = sema_run(&s, &prog);
	if (status != HESSC_OK)
		goto done;
	node_id root;
	if (in->find_loops) {
		loops = calloc(1, sizeof *loops);
		status = loops ? lower_objective_loops(&s, g, &root, loops) : HESSC_ERR_NOMEM;
	} else {
		status = lower_objective(&s, g, &root);
	}
	if (status != HESSC_OK)
		goto done;
	status = make_model(&s, in, root, out);
	if (status == HESSC_OK) {
		(*out)->loops = loops;
		loops = NULL;
	}
done:
	if (loops) {
		tmpl_set_free(loops);
		free(loops);
	}
	sema_release(&s);
	arena_free(&a);
	return status;
}

void model_free(model *m)
{
	if (!m)
		return;
	free(m->name);
	if (m->names && m->n > 0)
		free(m->names[0]);
	free(m->names);
	free(m->x0);
	free(m->lower);
	free(m->upper);
	free(m->objective_name);
	free(m->source);
	for (size_t i = 0; m->inputs && i < m->n_inputs; i++) {
		free(m->inputs[i].name);
		free(m->inputs[i].layout);
	}
	free(m->inputs);
	if (m->loops) {
		tmpl_set_free(m->loops);
		free(m->loops);
	}
	free(m);
}
