/* template_canon.h -- the canonical shape of one term, and a loop's body
 * rebuilt from it: the piece that the template finder (template_find.c,
 * over the unrolled graph) and the front end's streaming loop builder
 * (template_stream.h, one iteration at a time) share.
 *
 * In:  a graph, a term's root in it and the term's weight.
 * Out: the term's DAG in a canonical post-order: commutative operands
 *      ordered by shape (then by smallest slot index below), slot leaves
 *      numbered by first appearance, constants numbered by first
 *      appearance after the weight (constant 0).  Two terms with equal
 *      canonical nodes differ only in their slots' indices and their
 *      constants' values.
 *
 * Slots are kind-aware: a slot leaf's canonical node keeps the leaf's op
 * (OP_VAR: a variable; further leaf kinds, such as an element of run-time
 * data, are one more case in tcanon_is_slot_leaf and the builder), and
 * slots of every kind share one numbering, each with its own index
 * (variable number, element number) in `slots`.  So a loop builder treats
 * every slot alike (base + strides), and equal canonical nodes mean equal
 * kinds slot by slot.
 *
 * Per-node memory of the walks (tmemo) is a small open-addressing map
 * emptied in O(1) by an epoch, or, when the graph itself is small (the
 * scratch graph of one iteration), a dense array indexed by node id.
 */
#ifndef HESSC_TEMPLATE_CANON_H
#define HESSC_TEMPLATE_CANON_H

#include <stddef.h>
#include <stdint.h>
#include "graph.h"
#include "status.h"
#include "template.h"

/* One canonical node: op, extra (slot leaf: slot number, CONST: constant
 * number, POWI: exponent), operands as canonical positions (-1: none).  An
 * OP_DATA slot leaf (an element of a run-time input) keeps its input array
 * in `a`, so equal shapes read equal arrays; its slot's index is the
 * element. */
typedef struct tcanon_node {
	int32_t op, extra, a, b, c;
} tcanon_node;

/* What the walks remember per node. */
typedef struct tmemo_entry {
	node_id key;
	uint32_t epoch;
	uint32_t state;      /* TMEMO_* bits */
	int32_t val;         /* canonical position, or a copied node's id */
	uint64_t hash;       /* shape hash of the DAG below */
	int64_t minvar;      /* smallest slot index below (INT64_MAX: none) */
} tmemo_entry;

enum { TMEMO_HASHED = 1, TMEMO_ENCODED = 2, TMEMO_COLLECTED = 4, TMEMO_COPIED = 8 };

/* Graphs up to this many nodes get the dense memo. */
#define TMEMO_DENSE_MAX 65536

typedef struct tmemo {
	tmemo_entry *map;    /* open addressing, size cap (a power of two) */
	size_t cap, used;
	tmemo_entry *dense;  /* indexed by node id, size dense_cap */
	size_t dense_cap;
	int is_dense;
	uint32_t epoch;
} tmemo;

/* Forget every entry; the next walk is over a graph of `graph_size`
 * nodes.  0 when memory runs out. */
int tmemo_clear(tmemo *m, size_t graph_size);
tmemo_entry *tmemo_find(const tmemo *m, node_id key);
uint32_t tmemo_state(const tmemo *m, node_id key);
/* The entry of key, created empty when absent; NULL when memory runs out.
 * Creating entries never moves existing ones in the dense mode; in the
 * hashed mode it may (look them up again). */
tmemo_entry *tmemo_get(tmemo *m, node_id key);
void tmemo_free(tmemo *m);

/* A canonicalizer: its outputs, valid after tcanon_term, and scratch. */
typedef struct tcanon {
	tcanon_node *nodes;  /* the canonical post-order, size n_nodes */
	size_t n_nodes, nodes_cap;
	int64_t *slots;      /* slot s's index (variable number, ...), size n_slots */
	size_t n_slots, slots_cap;
	double *cons;        /* constant q's value, cons[0] the weight, size n_cons */
	size_t n_cons, cons_cap;
	tmemo memo;
	node_id *stack;
	size_t stack_cap;
	/* terms whose root has a small id (one iteration's scratch graph):
	 * per node id, its shape hash, smallest slot index and canonical
	 * position (-2: not in the term, -1: not encoded yet) */
	uint64_t *d_hash;
	int64_t *d_minvar;
	int32_t *d_pos;
	size_t d_cap;
} tcanon;

void tcanon_init(tcanon *c);
void tcanon_free(tcanon *c);

/* 1 for the leaves that are slots. */
int tcanon_is_slot_leaf(graph_op op);

/* The canonical form of weight * (the DAG below root in g).  Returns
 * HESSC_OK; HESSC_ERR_TOO_BIG when the term has no shape (nothing is
 * encoded): more than TMPL_MAX_TERM_NODES distinct nodes, or a leaf that
 * is neither a constant nor of a slot kind; or HESSC_ERR_NOMEM. */
hessc_status tcanon_term(tcanon *c, const graph *g, node_id root, double weight);

/* Hash of a canonical node sequence (and the mixer it uses). */
uint64_t tcanon_hash(const tcanon_node *nodes, size_t len);
uint64_t tcanon_mix(uint64_t h, uint64_t v);

/* Rebuild a canonical term in `g`: slot s is the leaf of its kind with
 * index slot_input[s] (a variable: graph_var(g, slot_input[s])); constant
 * q is the literal cons[q] when con_input[q] < 0, else graph_var(g,
 * con_input[q]) (a table, a body input).  The weight (constant 0)
 * multiplies the term unless it is the literal 1.  `scratch` holds len
 * node ids.  Returns the root (GRAPH_NO_NODE once g failed). */
node_id tcanon_build(graph *g, const tcanon_node *nodes, size_t len, const int64_t *slot_input,
                     const int64_t *con_input, const double *cons, node_id *scratch);

/* A loop (template.h) from its canonical body and how its inputs move:
 * slot s reads base[s] + stride0[s]*i + stride1[s]*j; constant q is the
 * literal lit[q] when table_of[q] < 0, else table table_of[q] (< n_tables),
 * whose value at iteration it is tables[table_of[q]*iterations + it].
 * `tables` (n_tables * count0 * count1 doubles, or NULL) becomes the
 * loop's.  On failure *l is left for tmpl_set's cleanup (or freeing with
 * tmpl_loop_free). */
typedef struct tcanon_loop_spec {
	const tcanon_node *nodes;
	size_t len, n_slots, n_cons;
	const int64_t *base, *stride0, *stride1;   /* size n_slots */
	size_t count0, count1;
	const double *lit;                         /* size n_cons */
	const int64_t *table_of;                   /* size n_cons */
	size_t n_tables;
	double *tables;
	size_t first_term;
} tcanon_loop_spec;

hessc_status tcanon_make_loop(const tcanon_loop_spec *spec, tmpl_loop *l);

#endif
