/* spread_domains.h: topology domains of one spread constraint over a
 * snapshot, as dense integer ids (internal to predicates/).
 *
 * Every distinct value of the constraint's topologyKey among the snapshot's
 * nodes gets an id; each node knows its id (-1 without the key), so the
 * placement loop reads and bumps counts in arrays instead of hashing label
 * values on every node of every round. A domain is "registered" when at
 * least one node in it is eligible to be counted (PodTopologySpread's
 * TpValueToMatchNum holds exactly the registered domains).
 * Thread-safety: one request. */
#ifndef HR_SPREAD_DOMAINS_H
#define HR_SPREAD_DOMAINS_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "snapshot.h"
#include "tpmap.h"

struct hr_spread_domains {
	struct hr_str key;    /* the topologyKey */
	struct hr_tpmap ids;  /* (key, value) -> id + 1 */
	int32_t *node_domain; /* per snapshot node: id, -1 when it lacks the key */
	int64_t *count;       /* per id: matching pods (registered domains only) */
	bool *registered;     /* per id */
	size_t n_domains;
	size_t n_registered;
	int64_t min;     /* minimum count over registered domains (INT64_MAX if none) */
	size_t n_at_min; /* registered domains whose count is min */
};

/* Assigns ids for key over snap's nodes. Returns false when out of memory. */
bool hr_spread_domains_init(struct hr_spread_domains *d, const struct hr_snapshot *snap,
                            struct hr_str key, struct hr_arena *arena);

/* The id of a node not in the snapshot (or any node) from its labels: -1
 * when it lacks the key or the value is not a snapshot domain. */
int32_t hr_spread_domains_of(const struct hr_spread_domains *d, const struct hr_node *node);

/* Registers domain id (counting `count` more pods in it). */
void hr_spread_domains_add(struct hr_spread_domains *d, int32_t id, int64_t count);

/* Recomputes min (and n_at_min) over registered domains: O(domains). */
void hr_spread_domains_update_min(struct hr_spread_domains *d);

/* One more pod in domain id, keeping min current in amortized O(1) (the
 * capacity loop adds one copy at a time to domains of thousands of nodes). */
void hr_spread_domains_bump(struct hr_spread_domains *d, int32_t id);

#endif
