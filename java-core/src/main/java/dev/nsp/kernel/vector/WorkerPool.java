package dev.nsp.kernel.vector;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The threads of one {@link VectorKernels} instance: a fixed pool of {@code threads - 1} daemon helper
 * threads, the calling thread being the last worker. A parallel loop hands out task indices from a
 * counter; callers partition their work into tasks whose number and contents do not depend on the
 * thread count, so which thread runs a task never changes a result.
 *
 * <p>Several threads may run loops concurrently: every caller works on its own tasks too, so a busy
 * pool slows a loop down but never blocks it. The first exception of a task is rethrown to the caller
 * after every task has finished.
 */
final class WorkerPool implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final ThreadPoolExecutor helpers;     // null when threads == 1
    private volatile boolean closed;

    /** @param threads workers per loop, the caller included, {@code >= 1} */
    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + ", must be >= 1");
        }
        this.threads = threads;
        if (threads == 1) {
            this.helpers = null;
        } else {
            int id = POOLS.incrementAndGet();
            AtomicInteger count = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "nsp-vector-" + id + "-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.helpers = new ThreadPoolExecutor(threads - 1, threads - 1, 0, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), factory);
        }
    }

    /** @return the number of workers of a loop, the caller included */
    int threads() {
        return threads;
    }

    /**
     * Runs {@code body.accept(i)} once for every i in [0, tasks). Runs on the calling thread alone when
     * there is one task, one thread, or {@code parallel} is false (small problems: no hand-off cost).
     * The first exception of a task is rethrown after all tasks have finished.
     *
     * @param tasks the number of tasks, {@code >= 0}
     * @param parallel whether the work is large enough to be worth the hand-off to other threads
     * @param body the task
     */
    void forEach(int tasks, boolean parallel, IntConsumer body) {
        if (closed) {
            throw new IllegalStateException("vector backend used after close()");
        }
        if (tasks <= 0) {
            return;
        }
        int allowed = dev.nsp.kernel.CallerThreads.cap(threads);
        if (tasks == 1 || helpers == null || !parallel || allowed == 1) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        Loop loop = new Loop(tasks, body);
        int helpersWanted = Math.min(allowed - 1, tasks - 1);
        try {
            for (int i = 0; i < helpersWanted; i++) {
                helpers.execute(loop);
            }
        } catch (RejectedExecutionException e) {
            // closed concurrently: the caller does the remaining work alone
        }
        loop.run();
        loop.awaitAll();
        loop.rethrow();
    }

    @Override
    public void close() {
        closed = true;
        if (helpers != null) {
            helpers.shutdown();
        }
    }

    /**
     * One parallel loop: a task counter shared by the caller and the helpers, and a latch counting
     * finished tasks. Every task runs even after another one failed (failures are rare, and stopping
     * early would make "which tasks ran" racy); a helper that starts after all tasks were taken just
     * returns, so the caller never waits for a helper that is still queued.
     */
    private static final class Loop implements Runnable {
        private final int tasks;
        private final IntConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch finished;
        private volatile Throwable failure;

        Loop(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
            this.finished = new CountDownLatch(tasks);
        }

        @Override
        public void run() {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    fail(t);
                } finally {
                    finished.countDown();
                }
            }
        }

        void awaitAll() {
            boolean interrupted = false;
            while (true) {
                try {
                    finished.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;     // the tasks write the caller's outputs: wait for them anyway
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized void fail(Throwable t) {
            if (failure == null) {
                failure = t;
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t == null) {
                return;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("vector kernel task failed: " + t, t);
        }
    }
}
