/* template_stream.h -- loops built one term at a time, while the front end
 * lowers a sum's iterations (frontend.h's streaming mode), so that the
 * terms that become loops never enter the big graph.
 *
 * In:  canonical terms (template_canon.h) in the order they are summed.
 * Out: loops (template.h's tmpl_loop): runs of terms of equal shape whose
 *      slots advance by a constant stride, extended to whole blocks of
 *      such runs (2-D: base + s0*i + s1*j) when the blocks advance by a
 *      constant stride too; constants that change are tabulated.  Every
 *      term that joins no loop of more than one iteration is rebuilt into
 *      the caller's graph (the residual, summed there).
 *
 * The builder keeps a few loops open at once, one per shape (a sum whose
 * body alternates between shapes still makes loops); a term that does not
 * extend its shape's loop closes it.  A block cut short is not lost: the
 * loop keeps its whole blocks and the terms of the partial block are fed
 * again, from what the loop remembers of them (slots follow from the
 * strides, constants from the tables).  Work per term is linear in its
 * size; memory is the loops' tables plus one copy of each open shape.
 */
#ifndef HESSC_TEMPLATE_STREAM_H
#define HESSC_TEMPLATE_STREAM_H

#include <stddef.h>
#include "graph.h"
#include "status.h"
#include "template.h"
#include "template_canon.h"

typedef struct tstream tstream;

/* A builder whose residual terms go into g.  NULL when memory runs out. */
tstream *tstream_new(graph *g);

/* The next term, weight included (c after tcanon_term). */
hessc_status tstream_add(tstream *s, const tcanon *c);

/* Close every loop.  The loops move into out->loops (out->n_loops, and
 * out->n_terms / n_templated count the terms added and those in loops; no
 * residual loop, no pattern), *residual is the sum in g of the terms left
 * over (GRAPH_NO_NODE when none).  The builder is empty afterwards. */
hessc_status tstream_finish(tstream *s, tmpl_set *out, node_id *residual);

void tstream_free(tstream *s);

#endif
