/* nsp_pool.c: see nsp_pool.h. */
#include "nsp_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void) 0)
#endif

#define MAX_WORKERS 255
/* the job word: generation (24 bits) | number of chunks (20 bits) | next unclaimed chunk (20 bits) */
#define FIELD 20
#define FIELD_MASK ((UINT64_C(1) << FIELD) - 1)
#define MAX_CHUNKS ((int64_t) FIELD_MASK)
#define GEN_MASK ((UINT32_C(1) << 24) - 1)
/* how long an idle worker polls for the next job before it sleeps, and a waiting caller before it yields */
#define SPIN_ITERATIONS 4000

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;   /* held by the caller of the running job */
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond = PTHREAD_COND_INITIALIZER;
static _Atomic uint32_t wake_gen;          /* the generation of the latest job; changed under wake_lock */
static int workers;                        /* workers started; under job_lock */

static _Atomic uint64_t state;             /* the job word */
static _Atomic int64_t done;               /* chunks of the current job finished */
static _Atomic int joined;                 /* workers that joined the current job */
static _Atomic int limit;                  /* how many may join */
/* the current job; written by its caller before the job word is published (release), read by a
 * worker only after it claimed a chunk of that job (acquire), and not rewritten until every chunk of
 * the job is done */
static nsp_body job_body;
static void *job_ctx;
static int64_t job_count, job_grain;

static uint64_t word(uint32_t gen, uint64_t chunks, uint64_t next) {
    return ((uint64_t) gen << (2 * FIELD)) | (chunks << FIELD) | next;
}

/* claims and runs chunks of job `gen` until none is left (or another job is running) */
static void run_chunks(uint32_t gen) {
    uint64_t s = atomic_load_explicit(&state, memory_order_acquire);
    for (;;) {
        if ((uint32_t) (s >> (2 * FIELD)) != gen) {
            return;
        }
        uint64_t next = s & FIELD_MASK, chunks = (s >> FIELD) & FIELD_MASK;
        if (next >= chunks) {
            return;
        }
        if (atomic_compare_exchange_weak_explicit(&state, &s, s + 1, memory_order_acq_rel, memory_order_acquire)) {
            int64_t begin = (int64_t) next * job_grain;
            int64_t end = begin + job_grain < job_count ? begin + job_grain : job_count;
            job_body(job_ctx, begin, end);
            atomic_fetch_add_explicit(&done, 1, memory_order_release);
            s = atomic_load_explicit(&state, memory_order_acquire);
        }
    }
}

static void *worker_main(void *arg) {
    uint32_t seen = (uint32_t) (uintptr_t) arg;
    for (;;) {
        uint32_t gen = atomic_load_explicit(&wake_gen, memory_order_acquire);
        for (int i = 0; gen == seen && i < SPIN_ITERATIONS; i++) {
            CPU_RELAX();
            gen = atomic_load_explicit(&wake_gen, memory_order_acquire);
        }
        if (gen == seen) {
            pthread_mutex_lock(&wake_lock);
            while ((gen = atomic_load_explicit(&wake_gen, memory_order_acquire)) == seen) {
                pthread_cond_wait(&wake_cond, &wake_lock);
            }
            pthread_mutex_unlock(&wake_lock);
        }
        seen = gen;
        if (atomic_fetch_add_explicit(&joined, 1, memory_order_relaxed)
                < atomic_load_explicit(&limit, memory_order_relaxed)) {
            run_chunks(gen);
        }
    }
    return NULL;
}

/* starts workers up to `wanted` (under job_lock); returns how many there are */
static int grow(int wanted) {
    if (wanted > MAX_WORKERS) {
        wanted = MAX_WORKERS;
    }
    while (workers < wanted) {
        pthread_t t;
        pthread_attr_t attr;
        if (pthread_attr_init(&attr) != 0) {
            break;
        }
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, (size_t) 4 << 20);
        uint32_t gen = atomic_load_explicit(&wake_gen, memory_order_acquire);
        int rc = pthread_create(&t, &attr, worker_main, (void *) (uintptr_t) gen);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            break;      /* fewer workers; the caller does the rest */
        }
        workers++;
    }
    return workers;
}

void nsp_parallel_for(int64_t count, int64_t grain, int threads, nsp_body body, void *ctx) {
    if (count <= 0) {
        return;
    }
    if (grain < 1) {
        grain = 1;
    }
    int64_t chunks = (count + grain - 1) / grain;
    if (chunks > MAX_CHUNKS) {
        grain = (count + MAX_CHUNKS - 1) / MAX_CHUNKS;
        chunks = (count + grain - 1) / grain;
    }
    if (threads <= 1 || chunks <= 1 || pthread_mutex_trylock(&job_lock) != 0) {
        body(ctx, 0, count);
        return;
    }
    int helpers = threads - 1 < chunks - 1 ? threads - 1 : (int) (chunks - 1);
    int started = grow(helpers);
    if (started < helpers) {
        helpers = started;
    }
    if (helpers <= 0) {
        pthread_mutex_unlock(&job_lock);
        body(ctx, 0, count);
        return;
    }
    job_body = body;
    job_ctx = ctx;
    job_count = count;
    job_grain = grain;
    atomic_store_explicit(&done, 0, memory_order_relaxed);
    atomic_store_explicit(&joined, 0, memory_order_relaxed);
    atomic_store_explicit(&limit, helpers, memory_order_relaxed);
    uint32_t gen = (atomic_load_explicit(&wake_gen, memory_order_relaxed) + 1) & GEN_MASK;
    atomic_store_explicit(&state, word(gen, (uint64_t) chunks, 0), memory_order_release);
    pthread_mutex_lock(&wake_lock);
    atomic_store_explicit(&wake_gen, gen, memory_order_release);
    pthread_cond_broadcast(&wake_cond);
    pthread_mutex_unlock(&wake_lock);

    run_chunks(gen);
    for (int i = 0; atomic_load_explicit(&done, memory_order_acquire) < chunks; i++) {
        if (i < SPIN_ITERATIONS) {
            CPU_RELAX();
        } else {
            sched_yield();      /* a worker holds a chunk but no CPU: let it run */
        }
    }
    pthread_mutex_unlock(&job_lock);
}
