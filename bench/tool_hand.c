/* tool_hand.c -- the hand-written reference as a tool: building the
 * pattern (and P5's data) is its one-time cost. */
#include <stdio.h>
#include <stdlib.h>
#include "tool_desc.h"

int tool_hand_prepare(const bench_problem *p, long size, const bench_options *o,
                      bench_kernels *k, bench_result *r)
{
	hand_problem *hp = calloc(1, sizeof *hp);
	double t0 = bench_now();
	(void)o;
	if (!hp || p->hand_new(size, hp) != 0 || kernels_from_problem(&hp->desc, k) != 0) {
		snprintf(r->error, sizeof r->error, "hand-written %s: out of memory or bad size %ld",
		         p->name, size);
		free(hp);
		return -1;
	}
	r->gen_s = bench_now() - t0;
	snprintf(r->method, sizeof r->method, "hand-written C, pattern built once");
	return 0;
}
