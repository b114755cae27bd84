package dev.nsp.opencl;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static dev.nsp.opencl.OpenClTestSupport.assertBitIdentical;
import static dev.nsp.opencl.OpenClTestSupport.poisoned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resource handling: buffer reuse, close semantics, no leaks across many contexts, concurrent callers. */
class LifecycleTest {

    @Test
    void buffersAreReusedAcrossCallsAndGrowOnlyWhenNeeded() {
        try (Kernels k = OpenClTestSupport.open(); Tensor x = Tensor.zeros(1000); Tensor y = poisoned(1000);
             Tensor big = Tensor.zeros(5000); Tensor bigY = poisoned(5000)) {
            BufferCache cache = OpenClTestSupport.raw(k).session().buffers();
            k.reluForward(x, 1f, y);
            long after1 = cache.allocations();
            for (int i = 0; i < 20; i++) {
                k.reluForward(x, 1f, y);
            }
            assertEquals(after1, cache.allocations(), "repeated calls of one size allocate nothing");
            k.reluForward(big, 1f, bigY);
            assertEquals(after1 + 2, cache.allocations(), "a larger call grows the two slots it uses");
            k.reluForward(x, 1f, y);
            assertEquals(after1 + 2, cache.allocations(), "a smaller call reuses the larger buffers");
        }
    }

    @Test
    void closeTwiceIsHarmlessAndUseAfterCloseThrows() {
        Kernels k = OpenClTestSupport.open();
        try (Tensor x = Tensor.zeros(3); Tensor y = Tensor.zeros(3)) {
            k.reluForward(x, 1f, y);
            k.close();
            k.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.reluForward(x, 1f, y));
            assertTrue(e.getMessage().contains("after close"), e.getMessage());
        }
    }

    /**
     * Opens, uses and closes 1000 contexts (or as many as fit in ~25 s, at least 100). Every OpenCL object a
     * session creates must be released (the sessions' live-object count returns to where it was), and resident
     * memory and open file descriptors must stay bounded: each cycle moves 1 MiB tensors through two 1 MiB
     * device buffers, so a leaked buffer or context per cycle would add >= 2 MiB per cycle, far above the
     * 64 MiB allowed for Java heap growth and allocator noise.
     */
    @Test
    void manyContextsDoNotLeak() throws IOException {
        OpenClTestSupport.requireOpenCl();
        OpenClProvider provider = new OpenClProvider();
        try (Tensor x = Tensor.zeros(1 << 18); Tensor y = Tensor.zeros(1 << 18)) {
            for (int i = 0; i < 20; i++) {       // warm-up: JIT, driver caches, allocator pools
                cycle(provider, x, y);
            }
            long live0 = ClSession.liveObjects();
            long rss0 = rssKiB();
            long fds0 = openFds();
            long deadline = System.nanoTime() + 25_000_000_000L;
            int cycles = 0;
            while (cycles < 1000 && (cycles < 100 || System.nanoTime() < deadline)) {
                cycle(provider, x, y);
                cycles++;
            }
            long rss1 = rssKiB();
            long fds1 = openFds();
            System.out.println("manyContextsDoNotLeak: " + cycles + " contexts, RSS " + rss0 + " -> " + rss1
                    + " KiB, fds " + fds0 + " -> " + fds1 + ", live OpenCL objects " + live0 + " -> "
                    + ClSession.liveObjects());
            assertEquals(live0, ClSession.liveObjects(), "OpenCL objects not released after " + cycles + " contexts");
            assertTrue(fds1 - fds0 <= 8, "open file descriptors grew from " + fds0 + " to " + fds1 + " over "
                    + cycles + " contexts");
            assertTrue(rss1 - rss0 <= 64 * 1024, "RSS grew from " + rss0 + " to " + rss1 + " KiB over " + cycles
                    + " contexts");
        }
    }

    private static void cycle(OpenClProvider provider, Tensor x, Tensor y) {
        Kernels k = provider.create();
        try {
            k.reluForward(x, 1f, y);
        } finally {
            k.close();
        }
    }

    private static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void concurrentCallersGetCorrectResults() throws Exception {
        try (Kernels k = OpenClTestSupport.open(); Kernels ref = OpenClTestSupport.reference()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int n = 1000 + 517 * t;
                    long seed = t;
                    futures.add(pool.submit(() -> {
                        Random r = new Random(seed);
                        try (Tensor x = OpenClTestSupport.uniform(r, -3f, 3f, n); Tensor a = poisoned(n);
                             Tensor b = poisoned(n)) {
                            for (int rep = 0; rep < 20; rep++) {
                                ref.reluForward(x, 0.5f + rep, a);
                                k.reluForward(x, 0.5f + rep, b);
                                assertBitIdentical("thread " + seed + " rep " + rep, a, b);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
