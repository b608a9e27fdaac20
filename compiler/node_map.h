/* node_map.h -- a map from node ids to 32-bit values, emptied in O(1).
 *
 * In:  node ids and values.
 * Out: the value stored for an id, or NULL.
 * Open addressing with linear probing; every slot carries the epoch it was
 * written in, and node_map_clear() starts a new epoch, so a map reused for
 * millions of small sets (one per term of an objective) costs what those
 * sets hold, never its own capacity per use.
 */
#ifndef HESSC_NODE_MAP_H
#define HESSC_NODE_MAP_H

#include <stddef.h>
#include <stdint.h>
#include "graph.h"

typedef struct node_map {
	node_id *keys;      /* size cap */
	uint32_t *values;   /* size cap */
	uint32_t *stamps;   /* size cap: a slot is used when its stamp is epoch */
	size_t cap;         /* a power of two */
	size_t used;        /* slots used in this epoch */
	uint32_t epoch;
} node_map;

/* 0 when memory ran out (the map is then empty and may be freed). */
int node_map_init(node_map *m, size_t cap);
void node_map_free(node_map *m);
void node_map_clear(node_map *m);
uint32_t *node_map_find(const node_map *m, node_id key);
/* Insert an absent key; 0 when memory ran out. */
int node_map_insert(node_map *m, node_id key, uint32_t value);

#endif
