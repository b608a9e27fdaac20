/* test_graph_dot.c -- the expression graph as Graphviz DOT: shared nodes
 * marked, counts right, and the file accepted by `dot` (path in argv[1]). */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_dot.h"
#include "test_runner.h"

static const char *dot_program;

/* f = sin(x0*x1) + cos(x0*x1) + 3*x0^2: x0*x1 is shared by sin and cos. */
typedef struct model {
	graph *g;
	node_id x0, x1, p, s, c, sq, f;
} model;

static void build(model *m)
{
	m->g = graph_new();
	m->x0 = graph_var(m->g, 0);
	m->x1 = graph_var(m->g, 1);
	m->p = graph_binary(m->g, OP_MUL, m->x0, m->x1);
	m->s = graph_unary(m->g, OP_SIN, m->p);
	m->c = graph_unary(m->g, OP_COS, m->p);
	m->sq = graph_powi(m->g, m->x0, 2);
	node_id three_sq = graph_binary(m->g, OP_MUL, graph_const(m->g, 3.0), m->sq);
	m->f = graph_binary(m->g, OP_ADD, graph_binary(m->g, OP_ADD, m->s, m->c), three_sq);
}

static char *write_to_string(const graph *g, node_id f, const dot_options *o, dot_counts *c,
                             hessc_status *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (out == NULL)
		return NULL;
	*st = graph_write_dot(out, g, f, o, c);
	fclose(out);
	return buf;
}

/* Run `dot -Tsvg` on the text; 1 when it exits 0 and writes an <svg>. */
static int dot_accepts(const char *text)
{
	char in[] = "/tmp/hessc-dot-XXXXXX";
	int fd = mkstemp(in);
	if (fd < 0)
		return 0;
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "'%s' -Tsvg '%s' 2>&1", dot_program, in);
	FILE *p = popen(cmd, "r");
	int svg = 0;
	char line[4096];
	while (p != NULL && fgets(line, sizeof line, p) != NULL)
		svg |= strstr(line, "<svg") != NULL;
	int rc = p != NULL ? pclose(p) : -1;
	remove(in);
	return rc == 0 && svg;
}

static void test_shared_product_is_drawn_as_shared_and_counts_show_the_saving(void)
{
	model m;
	build(&m);
	const char *names[2] = {"x[1]", "x[2]"};
	dot_options o = {.title = "shared", .var_names = names, .n_names = 2};
	dot_counts c;
	hessc_status st;
	char *text = write_to_string(m.g, m.f, &o, &c, &st);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(st, HESSC_OK);
	/* x0, x1, x0*x1, sin, cos, +, x0^2, 3*x0^2, + */
	CU_ASSERT_EQUAL(c.drawn, 9);
	CU_ASSERT_EQUAL(c.shared, 1);
	/* as trees: x0*x1 twice (3 nodes each) -> 14 nodes in all */
	CU_ASSERT_DOUBLE_EQUAL(c.tree, 14.0, 0.0);
	CU_ASSERT_EQUAL(c.nodes, graph_size(m.g));
	char shared[64];
	snprintf(shared, sizeof shared, "n%u [style=\"filled,bold\"", m.p);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, shared));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "*  (2 users)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "label=\"x[1]\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "label=\"^2\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "label=\"3\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "as trees without sharing: 14 nodes"));
	CU_ASSERT(dot_accepts(text));
	free(text);
	graph_free(m.g);
}

static void test_derivative_graph_has_outputs_for_gradient_and_hessian_and_dot_accepts_it(void)
{
	model m;
	build(&m);
	graph *g = m.g;
	/* grad: d/dx0 = (cos p - sin p) x1 + 6 x0, d/dx1 = (cos p - sin p) x0 */
	node_id diff = graph_binary(g, OP_SUB, m.c, m.s);
	node_id grad[2] = {
		graph_binary(g, OP_ADD, graph_binary(g, OP_MUL, diff, m.x1),
		             graph_binary(g, OP_MUL, graph_const(g, 6.0), m.x0)),
		graph_binary(g, OP_MUL, diff, m.x0),
	};
	/* Hessian lower triangle: (0,0), (1,0), (1,1); (0,0) needs -(sin p + cos p) x1^2 + 6 */
	node_id sum = graph_binary(g, OP_ADD, m.s, m.c);
	node_id hess[3] = {
		graph_binary(g, OP_SUB, graph_const(g, 6.0),
		             graph_binary(g, OP_MUL, sum, graph_powi(g, m.x1, 2))),
		graph_binary(g, OP_SUB, diff, graph_binary(g, OP_MUL, sum, m.p)),
		graph_unary(g, OP_NEG, graph_binary(g, OP_MUL, sum, graph_powi(g, m.x0, 2))),
	};
	int32_t colptr[3] = {0, 2, 3}, rowind[3] = {0, 1, 1};
	derivatives d = {.n = 2, .f = m.f, .grad = grad, .nnz = 3, .hess_colptr = colptr,
	                 .hess_rowind = rowind, .hess = hess};
	const char *names[2] = {"x[1]", "x[2]"};
	dot_options o = {.title = "shared \"quoted\"", .var_names = names, .n_names = 2, .deriv = &d,
	                 .expr_requested = 12, .expr_nodes = 10};
	dot_counts c;
	hessc_status st;
	char *text = write_to_string(g, m.f, &o, &c, &st);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(st, HESSC_OK);
	CU_ASSERT(c.shared >= 4);   /* x0*x1, sin, cos, cos-sin, sin+cos, x0^2 */
	CU_ASSERT(c.tree > (double)c.drawn);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "H[x[2], x[1]]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\xe2\x88\x82" "f/\xe2\x88\x82x[2]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "shared \\\"quoted\\\" (f, gradient, Hessian)\\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(expression alone: 12 requested, 10 after)"));
	CU_ASSERT(dot_accepts(text));
	free(text);
	graph_free(g);
}

static void test_graph_too_big_to_draw_is_refused_with_its_size(void)
{
	model m;
	build(&m);
	dot_options o = {.max_nodes = 5};
	dot_counts c;
	hessc_status st;
	char *text = write_to_string(m.g, m.f, &o, &c, &st);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(st, HESSC_ERR_TOO_BIG);
	CU_ASSERT_EQUAL(c.drawn, 9);
	CU_ASSERT_EQUAL(strlen(text), 0);
	free(text);
	CU_ASSERT_EQUAL(graph_write_dot(stdout, m.g, (node_id)graph_size(m.g), NULL, NULL),
	                HESSC_ERR_USAGE);
	graph_free(m.g);
}

int main(int argc, char **argv)
{
	dot_program = argc > 1 ? argv[1] : "dot";
	static const test_case tests[] = {
		{"a shared product is drawn as shared and the counts show the saving", test_shared_product_is_drawn_as_shared_and_counts_show_the_saving},
		{"the derivative graph has outputs for gradient and Hessian and dot accepts it", test_derivative_graph_has_outputs_for_gradient_and_hessian_and_dot_accepts_it},
		{"a graph too big to draw is refused with its size", test_graph_too_big_to_draw_is_refused_with_its_size},
	};
	return run_test_suite("graph as DOT", tests, TEST_COUNT(tests));
}
