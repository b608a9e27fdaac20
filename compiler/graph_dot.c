/* graph_dot.c -- write the expression graph as a Graphviz digraph
 * (see graph_dot.h). */
#include "graph_dot.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct dot_state {
	const graph *g;
	const dot_options *opt;
	size_t size;
	uint32_t *uses;     /* users among drawn nodes, plus outputs */
	uint8_t *reach;     /* 1: drawn (never set for constants, drawn inline) */
	double *tree;       /* size of the expression as a tree */
} dot_state;

static int is_const(const dot_state *s, node_id id)
{
	return graph_get(s->g, id)->op == OP_CONST;
}

static void mark_output(dot_state *s, node_id id)
{
	if (is_const(s, id))
		return;
	s->reach[id] = 1;
	s->uses[id]++;
}

static void operands(const graph_node *nd, node_id ops[3], int *count)
{
	int arity = graph_op_arity((graph_op)nd->op);
	*count = arity < 0 ? 0 : arity;
	ops[0] = nd->a;
	ops[1] = nd->b;
	ops[2] = nd->c;
}

/* Operator symbol for arithmetic and comparisons, the lower-case name for
 * functions ("sqrt", "min", "if"). */
static void op_label(const graph_node *nd, char *buf, size_t size)
{
	graph_op op = (graph_op)nd->op;
	switch (op) {
	case OP_ADD: snprintf(buf, size, "+"); return;
	case OP_SUB: snprintf(buf, size, "-"); return;
	case OP_MUL: snprintf(buf, size, "*"); return;
	case OP_DIV: snprintf(buf, size, "/"); return;
	case OP_NEG: snprintf(buf, size, "neg"); return;
	case OP_POW: snprintf(buf, size, "^"); return;
	case OP_POWI: snprintf(buf, size, "^%lld", (long long)nd->index); return;
	case OP_LT: case OP_LE: case OP_EQ: case OP_NE: case OP_AND: case OP_OR: case OP_NOT:
		snprintf(buf, size, "%s", graph_op_c_spelling(op));
		return;
	default:
		break;
	}
	const char *name = graph_op_name(op);
	size_t k = 0;
	for (; name[k] && k + 1 < size; k++)
		buf[k] = (char)tolower((unsigned char)name[k]);
	buf[k] = '\0';
}

/* Edge labels for operands whose order matters. */
static const char *operand_label(graph_op op, int pos)
{
	static const char *const cond[3] = {"if", "then", "else"};
	if (op == OP_IF)
		return cond[pos];
	if (graph_op_arity(op) == 2 && !graph_op_commutative(op))
		return pos == 0 ? "1" : "2";
	return NULL;
}

/* A DOT string literal (quotes included): '"' and '\\' escaped, a newline
 * becomes DOT's centred line break. */
static void dot_string(FILE *out, const char *text)
{
	fputc('"', out);
	for (; *text; text++) {
		if (*text == '\n') {
			fputs("\\n", out);
			continue;
		}
		if (*text == '"' || *text == '\\')
			fputc('\\', out);
		fputc(*text, out);
	}
	fputc('"', out);
}

static void var_name(const dot_state *s, int64_t index, char *buf, size_t size)
{
	if (s->opt->var_names != NULL && index >= 0 && (size_t)index < s->opt->n_names &&
	    s->opt->var_names[index] != NULL)
		snprintf(buf, size, "%s", s->opt->var_names[index]);
	else
		snprintf(buf, size, "x#%lld", (long long)index);
}

static hessc_status write_dot(FILE *out, const dot_state *s, node_id f, const dot_counts *c)
{
	const dot_options *o = s->opt;
	const derivatives *d = o->deriv;
	char text[512];
	fputs("digraph hessc {\n", out);
	fputs("  graph [rankdir=BT, labelloc=t, fontname=\"Helvetica\", label=", out);
	int len = snprintf(text, sizeof text, "%s%s\n%zu nodes drawn, %zu shared (filled); "
	                   "as trees without sharing: %.0f nodes\ngraph: %zu nodes requested, "
	                   "%zu after CSE and simplification",
	                   o->title ? o->title : "model", d ? " (f, gradient, Hessian)" : " (f)",
	                   c->drawn, c->shared, c->tree, c->requested, c->nodes);
	if (d != NULL && o->expr_requested > 0 && len > 0 && (size_t)len < sizeof text)
		snprintf(text + len, sizeof text - (size_t)len,
		         " (expression alone: %zu requested, %zu after)", o->expr_requested, o->expr_nodes);
	dot_string(out, text);
	fputs("];\n  node [fontname=\"Helvetica\", fontsize=11, shape=ellipse];\n"
	      "  edge [arrowsize=0.6, fontsize=9];\n", out);

	for (node_id id = 0; id < s->size; id++) {
		if (!s->reach[id])
			continue;
		const graph_node *nd = graph_get(s->g, id);
		char label[96];
		if (nd->op == OP_VAR) {
			var_name(s, nd->index, label, sizeof label);
			fprintf(out, "  n%u [shape=box, style=filled, fillcolor=\"#dde7f7\", label=", id);
			dot_string(out, label);
			fputs("];\n", out);
			continue;
		}
		op_label(nd, label, sizeof label);
		if (s->uses[id] >= 2) {
			char shared[128];
			snprintf(shared, sizeof shared, "%s  (%u users)", label, s->uses[id]);
			fprintf(out, "  n%u [style=\"filled,bold\", fillcolor=\"#ffd27f\", penwidth=2, label=", id);
			dot_string(out, shared);
		} else {
			fprintf(out, "  n%u [label=", id);
			dot_string(out, label);
		}
		fputs("];\n", out);
		node_id ops[3];
		int count;
		operands(nd, ops, &count);
		for (int k = 0; k < count; k++) {
			const char *el = operand_label((graph_op)nd->op, k);
			double value;
			if (graph_is_const(s->g, ops[k], &value)) {
				fprintf(out, "  c%u_%d [shape=plaintext, label=\"%.6g\"];\n", id, k, value);
				fprintf(out, "  c%u_%d -> n%u", id, k, id);
			} else {
				fprintf(out, "  n%u -> n%u", ops[k], id);
			}
			if (el != NULL)
				fprintf(out, " [label=\"%s\"]", el);
			fputs(";\n", out);
		}
	}

	/* outputs on the top rank */
	fputs("  { rank=max;\n", out);
	fputs("    out_f [shape=doubleoctagon, label=\"f\"];\n", out);
	if (d != NULL) {
		for (size_t i = 0; i < d->n; i++) {
			double v;
			if (graph_is_const(s->g, d->grad[i], &v) && v == 0.0)
				continue;
			char name[96];
			var_name(s, (int64_t)i, name, sizeof name);
			snprintf(text, sizeof text, "\xe2\x88\x82" "f/\xe2\x88\x82%s", name);
			fprintf(out, "    out_g%zu [shape=octagon, style=filled, fillcolor=\"#d8f0d8\", label=", i);
			dot_string(out, text);
			fputs("];\n", out);
		}
		for (size_t j = 0; j < d->n; j++)
			for (int32_t k = d->hess_colptr[j]; k < d->hess_colptr[j + 1]; k++) {
				char rn[96], cn[96];
				var_name(s, d->hess_rowind[k], rn, sizeof rn);
				var_name(s, (int64_t)j, cn, sizeof cn);
				snprintf(text, sizeof text, "H[%s, %s]", rn, cn);
				fprintf(out, "    out_h%d [shape=octagon, style=filled, fillcolor=\"#f3d9e8\", label=", k);
				dot_string(out, text);
				fputs("];\n", out);
			}
	}
	fputs("  }\n", out);
	/* edges into the outputs; a constant output gets its value beside it */
	double v;
	if (graph_is_const(s->g, f, &v))
		fprintf(out, "  cf [shape=plaintext, label=\"%.6g\"];\n  cf -> out_f;\n", v);
	else
		fprintf(out, "  n%u -> out_f;\n", f);
	if (d != NULL) {
		for (size_t i = 0; i < d->n; i++) {
			if (graph_is_const(s->g, d->grad[i], &v)) {
				if (v != 0.0)
					fprintf(out, "  cg%zu [shape=plaintext, label=\"%.6g\"];\n  cg%zu -> out_g%zu;\n",
					        i, v, i, i);
			} else {
				fprintf(out, "  n%u -> out_g%zu;\n", d->grad[i], i);
			}
		}
		for (size_t k = 0; k < d->nnz; k++) {
			if (graph_is_const(s->g, d->hess[k], &v))
				fprintf(out, "  ch%zu [shape=plaintext, label=\"%.6g\"];\n  ch%zu -> out_h%zu;\n",
				        k, v, k, k);
			else
				fprintf(out, "  n%u -> out_h%zu;\n", d->hess[k], k);
		}
	}
	fputs("}\n", out);
	return ferror(out) ? HESSC_ERR_INTERNAL : HESSC_OK;
}

hessc_status graph_write_dot(FILE *out, const graph *g, node_id f,
                             const dot_options *opt, dot_counts *counts)
{
	dot_options defaults = {0};
	const dot_options *o = opt ? opt : &defaults;
	const derivatives *d = o->deriv;
	dot_counts local;
	dot_counts *c = counts ? counts : &local;
	memset(c, 0, sizeof *c);
	dot_state s = {.g = g, .opt = o, .size = graph_size(g)};
	if (g == NULL || graph_failed(g) || f >= s.size)
		return HESSC_ERR_USAGE;
	if (d != NULL) {
		if (d->n > 0 && (d->grad == NULL || d->hess_colptr == NULL))
			return HESSC_ERR_USAGE;
		for (size_t i = 0; i < d->n; i++)
			if (d->grad[i] >= s.size)
				return HESSC_ERR_USAGE;
		for (size_t k = 0; k < d->nnz; k++)
			if (d->hess[k] >= s.size)
				return HESSC_ERR_USAGE;
	}
	c->requested = graph_requests(g);
	c->nodes = s.size;

	hessc_status st = HESSC_ERR_NOMEM;
	s.uses = calloc(s.size, sizeof *s.uses);
	s.reach = calloc(s.size, 1);
	s.tree = calloc(s.size, sizeof *s.tree);
	if (s.uses == NULL || s.reach == NULL || s.tree == NULL)
		goto done;

	mark_output(&s, f);
	if (d != NULL) {
		for (size_t i = 0; i < d->n; i++)
			mark_output(&s, d->grad[i]);
		for (size_t k = 0; k < d->nnz; k++)
			mark_output(&s, d->hess[k]);
	}
	/* operands have smaller ids: one downward sweep finds everything */
	for (size_t id = s.size; id-- > 0;) {
		if (!s.reach[id])
			continue;
		node_id ops[3];
		int count;
		operands(graph_get(g, (node_id)id), ops, &count);
		for (int k = 0; k < count; k++) {
			if (is_const(&s, ops[k]))
				continue;
			s.reach[ops[k]] = 1;
			s.uses[ops[k]]++;
		}
	}
	for (size_t id = 0; id < s.size; id++) {
		const graph_node *nd = graph_get(g, (node_id)id);
		node_id ops[3];
		int count;
		operands(nd, ops, &count);
		s.tree[id] = 1.0;
		if (!s.reach[id])
			continue;
		c->drawn++;
		c->shared += nd->op != OP_VAR && s.uses[id] >= 2;
		for (int k = 0; k < count; k++)
			s.tree[id] += s.tree[ops[k]];
	}
	c->tree = s.tree[f];
	if (d != NULL) {
		for (size_t i = 0; i < d->n; i++)
			if (!is_const(&s, d->grad[i]))
				c->tree += s.tree[d->grad[i]];
		for (size_t k = 0; k < d->nnz; k++)
			c->tree += s.tree[d->hess[k]];
	}
	size_t max_nodes = o->max_nodes ? o->max_nodes : DOT_DEFAULT_MAX_NODES;
	if (c->drawn > max_nodes) {
		st = HESSC_ERR_TOO_BIG;
		goto done;
	}
	st = write_dot(out, &s, f, c);
done:
	free(s.uses);
	free(s.reach);
	free(s.tree);
	return st;
}
