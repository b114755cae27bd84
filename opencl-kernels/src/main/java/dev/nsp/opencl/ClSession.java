package dev.nsp.opencl;

import dev.nsp.kernel.BackendFailureException;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Map;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_KERNEL_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_TRUE;

/**
 * One OpenCL context on one device: its in-order command queue, nsp's program (built once, here), one
 * {@code cl_kernel} per kernel, and the {@link BufferCache}. Not thread-safe: {@link OpenClKernels} serialises
 * calls. {@link #close()} releases every OpenCL object; closing twice is harmless.
 */
final class ClSession implements AutoCloseable {
    /** Preferred work-group size (a multiple of 32 and 64 lanes), capped by what the device and kernel allow. */
    private static final long LOCAL_SIZE = 128;
    /** Largest host-device copy in one call: ByteBuffer views of a segment hold at most 2^31 - 1 bytes. */
    private static final long CHUNK_BYTES = 1L << 30;

    /** Program binaries by device and build options, shared by every context of the process. */
    private static final ConcurrentHashMap<String, byte[]> BINARIES = new ConcurrentHashMap<>();
    /** OpenCL objects created and not yet released by any session (a leak check for tests). */
    private static final AtomicLong LIVE_OBJECTS = new AtomicLong();

    private final ClDevice device;
    private cl_context context;
    private cl_command_queue queue;
    private cl_program program;
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private final Map<String, Long> localSizes = new HashMap<>();
    private BufferCache buffers;
    private final long buildNanos;
    private final FaultInjection faults;
    /** Whether the current kernel call has started copying into the caller's tensors (see {@link #beginCall}). */
    private boolean hostWritten;
    private boolean closed;

    private ClSession(ClDevice device, String extraOptions) {
        this.device = device;
        this.faults = FaultInjection.fromProperty();
        try {
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
            faults.before(FaultInjection.Kind.CREATE, "clCreateContext");
            context = CL.clCreateContext(props, 1, new cl_device_id[] {device.device()}, null, null, null);
            created();
            faults.before(FaultInjection.Kind.CREATE, "clCreateCommandQueue");
            queue = createQueue(context, device.device());
            created();
            long t0 = System.nanoTime();
            faults.before(FaultInjection.Kind.CREATE, "clCreateProgram");
            if (faults.failsBuild()) {
                throw new ProgramBuildException("OpenCL program build failed on " + device.describe(),
                        "error: injected build failure (" + FaultInjection.PROPERTY + "=build)", null);
            }
            program = build(context, device, extraOptions);
            created();
            buildNanos = System.nanoTime() - t0;
            for (String name : KernelSources.KERNELS) {
                faults.before(FaultInjection.Kind.CREATE, "clCreateKernel(" + name + ")");
                cl_kernel k = CL.clCreateKernel(program, name, null);
                created();
                kernels.put(name, k);
                long[] wg = new long[1];
                CL.clGetKernelWorkGroupInfo(k, device.device(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t,
                        Pointer.to(wg), null);
                long local = Math.min(LOCAL_SIZE, Math.min(wg[0], device.maxWorkGroupSize()));
                localSizes.put(name, Math.max(1, local));
            }
            buffers = new BufferCache(this, context, device.maxAllocBytes());
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Creates a context on {@code device} and builds nsp's program.
     *
     * @param extraOptions more build options (tests use -DNSP_LIF_FLOAT), or empty
     * @throws ProgramBuildException with the build log if the compiler rejects the sources
     * @throws CLException for any other OpenCL failure
     */
    static ClSession open(ClDevice device, String extraOptions) {
        return new ClSession(device, extraOptions);
    }

    /** An in-order queue: clCreateCommandQueueWithProperties (OpenCL 2.0+), else the 1.x call. */
    @SuppressWarnings("deprecation")
    private static cl_command_queue createQueue(cl_context context, cl_device_id device) {
        try {
            return CL.clCreateCommandQueueWithProperties(context, device, new cl_queue_properties(), null);
        } catch (UnsupportedOperationException | CLException e) {
            return CL.clCreateCommandQueue(context, device, 0, null);
        }
    }

    /**
     * Builds nsp's program for one context. The first build per process, device and options compiles the sources
     * (the build log of a failure is kept); later contexts are built from the program binary that build produced,
     * which skips the OpenCL C compiler (on PoCL ~5 ms instead of ~100 ms). A binary the driver refuses falls back
     * to the sources.
     */
    private static cl_program build(cl_context context, ClDevice device, String extraOptions) {
        String options = KernelSources.options(device, extraOptions);
        String key = device.index() + "|" + device.name() + "|" + options;
        byte[] binary = BINARIES.get(key);
        if (binary != null) {
            cl_program p = null;
            try {
                p = CL.clCreateProgramWithBinary(context, 1, new cl_device_id[] {device.device()},
                        new long[] {binary.length}, new byte[][] {binary}, null, null);
                CL.clBuildProgram(p, 1, new cl_device_id[] {device.device()}, options, null, null);
                return p;
            } catch (CLException e) {
                if (p != null) {
                    CL.clReleaseProgram(p);
                }
                BINARIES.remove(key);
            }
        }
        cl_program p = buildFromSource(context, device, options);
        byte[] b = programBinary(p);
        if (b != null) {
            BINARIES.put(key, b);
        }
        return p;
    }

    private static cl_program buildFromSource(cl_context context, ClDevice device, String options) {
        String[] sources = KernelSources.load();
        cl_program p = CL.clCreateProgramWithSource(context, sources.length, sources, null, null);
        try {
            CL.clBuildProgram(p, 1, new cl_device_id[] {device.device()}, options, null, null);
            return p;
        } catch (CLException e) {
            String log = buildLog(p, device.device());
            try {
                CL.clReleaseProgram(p);
            } catch (RuntimeException ignored) {
                // the build error is what matters
            }
            throw new ProgramBuildException("OpenCL program build failed on " + device.describe() + " with options '"
                    + options + "': " + e.getMessage(), log, e);
        }
    }

    /** @return the device binary of a built single-device program, or null if the driver offers none */
    private static byte[] programBinary(cl_program p) {
        try {
            long[] size = new long[1];
            CL.clGetProgramInfo(p, CL.CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(size), null);
            if (size[0] <= 0 || size[0] > Integer.MAX_VALUE) {
                return null;
            }
            byte[] b = new byte[(int) size[0]];
            CL.clGetProgramInfo(p, CL.CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(new Pointer[] {Pointer.to(b)}),
                    null);
            return b;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String buildLog(cl_program p, cl_device_id d) {
        try {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(p, d, CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] b = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(p, d, CL_PROGRAM_BUILD_LOG, b.length, Pointer.to(b), null);
            return ClDevice.cString(b);
        } catch (RuntimeException e) {
            return "(no build log: " + e + ")";
        }
    }

    /** Forgets the cached program binaries: the next context compiles from source (for benchmarks). */
    static void clearBinaryCache() {
        BINARIES.clear();
    }

    /** Counts one OpenCL object created and kept. */
    static void created() {
        LIVE_OBJECTS.incrementAndGet();
    }

    /** Counts one OpenCL object released. */
    static void released() {
        LIVE_OBJECTS.decrementAndGet();
    }

    /** @return OpenCL objects (contexts, queues, programs, kernels, buffers) created by sessions and not released */
    static long liveObjects() {
        return LIVE_OBJECTS.get();
    }

    ClDevice device() {
        return device;
    }

    BufferCache buffers() {
        return buffers;
    }

    /** @return the faults this session injects ({@link FaultInjection#PROPERTY}) */
    FaultInjection faults() {
        return faults;
    }

    /** Marks the start of a kernel call: nothing of the caller's tensors is written yet. */
    void beginCall() {
        hostWritten = false;
    }

    /**
     * The exception for a failed OpenCL call within a kernel call: a {@link BackendFailureException} that says whether
     * the caller's tensors were written yet.
     */
    BackendFailureException failure(String what, RuntimeException e) {
        return new BackendFailureException("opencl", what + " on " + device.describe() + ": " + e.getMessage(),
                !hostWritten, e);
    }

    /** @return how long building the program took, ns */
    long buildNanos() {
        return buildNanos;
    }

    /**
     * Enqueues a 1-D launch of {@code name} over {@code items} work items (rounded up to the work-group size;
     * every kernel checks its bound).
     *
     * @param args kernel arguments in order: {@link cl_mem}, {@link Integer} (int), {@link Float} (float)
     */
    void launch(String name, long items, Object... args) {
        cl_kernel k = kernels.get(name);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof cl_mem m) {
                CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(m));
            } else if (a instanceof Integer v) {
                CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
            } else if (a instanceof Float v) {
                CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " of " + name + ": unsupported " + a);
            }
        }
        long local = localSizes.get(name);
        long global = (items + local - 1) / local * local;
        try {
            faults.before(FaultInjection.Kind.ENQUEUE, "clEnqueueNDRangeKernel(" + name + ")");
            CL.clEnqueueNDRangeKernel(queue, k, 1, null, new long[] {global}, new long[] {local}, 0, null, null);
        } catch (CLException e) {
            throw failure("launching " + name, e);
        }
    }

    /** Copies {@code bytes} bytes of host memory into {@code mem} (blocking). */
    void write(cl_mem mem, MemorySegment host, long bytes) {
        try {
            for (long off = 0; off < bytes; off += CHUNK_BYTES) {
                long n = Math.min(CHUNK_BYTES, bytes - off);
                CL.clEnqueueWriteBuffer(queue, mem, CL_TRUE, off, n, Pointer.to(host.asSlice(off, n).asByteBuffer()),
                        0, null, null);
            }
        } catch (CLException e) {
            throw failure("copying to the device", e);
        }
    }

    /**
     * Copies {@code bytes} bytes of {@code mem} into host memory (blocking): into one of the caller's tensors. The
     * first copy of a call first waits for the queue, so that a kernel's failure shows before any tensor is written.
     */
    void read(cl_mem mem, MemorySegment host, long bytes) {
        if (!hostWritten) {
            finish();
        }
        hostWritten = true;
        try {
            faults.before(FaultInjection.Kind.READ, "clEnqueueReadBuffer");
            for (long off = 0; off < bytes; off += CHUNK_BYTES) {
                long n = Math.min(CHUNK_BYTES, bytes - off);
                CL.clEnqueueReadBuffer(queue, mem, CL_TRUE, off, n, Pointer.to(host.asSlice(off, n).asByteBuffer()),
                        0, null, null);
            }
        } catch (CLException e) {
            throw failure("copying to the host", e);
        }
    }

    /** Copies small int data to the device (blocking). */
    void writeInts(cl_mem mem, int[] data) {
        try {
            CL.clEnqueueWriteBuffer(queue, mem, CL_TRUE, 0, (long) data.length * Sizeof.cl_int, Pointer.to(data), 0,
                    null, null);
        } catch (CLException e) {
            throw failure("copying to the device", e);
        }
    }

    /** Copies small int data from the device (blocking). */
    void readInts(cl_mem mem, int[] data) {
        try {
            CL.clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, (long) data.length * Sizeof.cl_int, Pointer.to(data), 0,
                    null, null);
        } catch (CLException e) {
            throw failure("copying a flag to the host", e);
        }
    }

    /** Copies small float data from the device (blocking). */
    void readFloats(cl_mem mem, float[] data) {
        try {
            CL.clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, (long) data.length * Sizeof.cl_float, Pointer.to(data), 0,
                    null, null);
        } catch (CLException e) {
            throw failure("copying to the host", e);
        }
    }

    /** Waits until every enqueued command has finished. */
    void finish() {
        try {
            CL.clFinish(queue);
        } catch (CLException e) {
            throw failure("waiting for the queue", e);
        }
    }

    /** Releases the buffers, kernels, program, queue and context, in that order; harmless to call twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        if (queue != null) {
            try {
                CL.clFinish(queue);
            } catch (RuntimeException e) {
                first = e;
            }
        }
        if (buffers != null) {
            try {
                buffers.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (cl_kernel k : kernels.values()) {
            try {
                CL.clReleaseKernel(k);
                released();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        kernels.clear();
        first = release(first, program == null ? null : () -> CL.clReleaseProgram(program));
        first = release(first, queue == null ? null : () -> CL.clReleaseCommandQueue(queue));
        first = release(first, context == null ? null : () -> CL.clReleaseContext(context));
        program = null;
        queue = null;
        context = null;
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException release(RuntimeException first, Runnable r) {
        if (r == null) {
            return first;
        }
        try {
            r.run();
            released();
        } catch (RuntimeException e) {
            return first == null ? e : first;
        }
        return first;
    }
}
