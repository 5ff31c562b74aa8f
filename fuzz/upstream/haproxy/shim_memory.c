/* Stands in for HAProxy's memory pools (src/pool.c).
 *
 * HAProxy hands out fixed-size objects (connections, streams, tasklets,
 * buffers of tune.bufsize bytes) from named pools; a pool only caches freed
 * objects for reuse, and with DEBUG_UAF or without caching each object is
 * one malloc. Here every pool_alloc is a malloc of the pool's size and every
 * pool_free a free: the mux sees the same sizes, gets memory that is not
 * zeroed (pool_alloc never zeroes), and the sanitizers see each object on
 * its own, so an overrun or a use after free is reported where HAProxy's
 * caches would hide it. A pool is made once per name, like HAProxy's, which
 * creates them at start-up and keeps them for the life of the process;
 * making one again (init_buffer and init_trash_buffers run again when the
 * harness changes tune.bufsize) updates its size. */
#include <stdlib.h>
#include <string.h>

#include <haproxy/pool.h>

#define MAX_POOLS 32

static struct pool_head *pools[MAX_POOLS];
static unsigned npools;

struct pool_head *create_pool(char *name, unsigned int size,
                              unsigned int flags) {
  struct pool_head *pool = NULL;
  for (unsigned i = 0; i < npools && !pool; i++)
    if (!strncmp(pools[i]->name, name, sizeof(pools[i]->name) - 1))
      pool = pools[i];
  if (!pool) {
    if (npools == MAX_POOLS || !(pool = calloc(1, sizeof(*pool))))
      abort();
    strncpy(pool->name, name, sizeof(pool->name) - 1);
    pools[npools++] = pool;
  }
  pool->size = size;
  pool->flags = flags;
  pool->users = 1;
  return pool;
}

void create_pool_callback(struct pool_head **ptr, char *name,
                          unsigned int size) {
  *ptr = create_pool(name, size, MEM_F_SHARED);
}

void *pool_destroy(struct pool_head *pool) {
  (void)pool; /* kept for the life of the process, see above */
  return NULL;
}

void pool_flush(struct pool_head *pool) { (void)pool; /* nothing cached */ }

void *__pool_alloc(struct pool_head *pool, unsigned int flags) {
  void *p = malloc(pool->size ? pool->size : 1);
  if (p && (flags & POOL_F_MUST_ZERO))
    memset(p, 0, pool->size);
  if (p)
    pool->used++;
  return p;
}

void *pool_alloc_nocache(struct pool_head *pool) {
  return __pool_alloc(pool, 0);
}

void __pool_free(struct pool_head *pool, void *ptr) {
  if (ptr)
    pool->used--;
  free(ptr);
}
