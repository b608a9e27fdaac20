/* node_map.c -- the epoch-stamped map from node ids to values. */
#include "node_map.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(node_id key, size_t mask)
{
	uint32_t h = key * 0x9e3779b1u;
	return (size_t)(h ^ (h >> 16)) & mask;
}

int node_map_init(node_map *m, size_t cap)
{
	m->keys = malloc(cap * sizeof *m->keys);
	m->values = malloc(cap * sizeof *m->values);
	m->stamps = calloc(cap, sizeof *m->stamps);
	m->cap = cap;
	m->used = 0;
	m->epoch = 1;
	return m->keys && m->values && m->stamps;
}

void node_map_free(node_map *m)
{
	free(m->keys);
	free(m->values);
	free(m->stamps);
	memset(m, 0, sizeof *m);
}

void node_map_clear(node_map *m)
{
	m->used = 0;
	if (++m->epoch == 0) {
		memset(m->stamps, 0, m->cap * sizeof *m->stamps);
		m->epoch = 1;
	}
}

uint32_t *node_map_find(const node_map *m, node_id key)
{
	size_t mask = m->cap - 1;
	for (size_t s = slot_of(key, mask); m->stamps[s] == m->epoch; s = (s + 1) & mask)
		if (m->keys[s] == key)
			return &m->values[s];
	return NULL;
}

static int grow(node_map *m)
{
	node_map bigger;
	if (!node_map_init(&bigger, m->cap * 2)) {
		node_map_free(&bigger);
		return 0;
	}
	size_t mask = bigger.cap - 1;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->stamps[i] != m->epoch)
			continue;
		size_t s = slot_of(m->keys[i], mask);
		while (bigger.stamps[s] == bigger.epoch)
			s = (s + 1) & mask;
		bigger.keys[s] = m->keys[i];
		bigger.values[s] = m->values[i];
		bigger.stamps[s] = bigger.epoch;
		bigger.used++;
	}
	node_map_free(m);
	*m = bigger;
	return 1;
}

int node_map_insert(node_map *m, node_id key, uint32_t value)
{
	if (2 * (m->used + 1) > m->cap && !grow(m))
		return 0;
	size_t mask = m->cap - 1;
	size_t s = slot_of(key, mask);
	while (m->stamps[s] == m->epoch)
		s = (s + 1) & mask;
	m->keys[s] = key;
	m->values[s] = value;
	m->stamps[s] = m->epoch;
	m->used++;
	return 1;
}
