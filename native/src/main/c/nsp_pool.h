/*
 * nsp_pool.h: the thread pool behind every parallel kernel.
 *
 * nsp_parallel_for(count, grain, threads, body, ctx) runs body(ctx, begin, end) over [0, count) in
 * chunks of `grain` units, on the calling thread and on up to threads - 1 pool workers, and returns
 * when every chunk is done. It is "help first": the caller claims chunks itself from an atomic counter
 * and waits only for chunks a worker has actually claimed, never for a worker that has not woken up
 * yet. On a machine shared with other processes (a worker may wait milliseconds for a CPU) a call thus
 * degrades to single-threaded speed instead of stalling at a barrier, which is what OpenMP's fork-join
 * does. One call uses the pool at a time; a concurrent call from another thread runs on its caller
 * alone. Chunks must write disjoint outputs; results then do not depend on the thread count.
 */
#ifndef NSP_POOL_H
#define NSP_POOL_H

#include <stdint.h>

typedef void (*nsp_body)(void *ctx, int64_t begin, int64_t end);

void nsp_parallel_for(int64_t count, int64_t grain, int threads, nsp_body body, void *ctx);

#endif
