package dev.nsp.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import java.util.EnumMap;
import java.util.Map;

/**
 * Device buffers reused across kernel calls: one buffer per {@link Slot}, grown (never shrunk) when a call
 * needs more, by at least half its size so that a slowly growing workload reallocates rarely. Not thread-safe:
 * the owner serialises calls.
 */
final class BufferCache implements AutoCloseable {
    /** Roles of buffers within one kernel call; a call never uses a slot for two things at once. */
    enum Slot { A, B, C, D, E, F, G, H, I, J, K, L, FLAG, LABELS, DUMMY }

    private static final long ROUND = 256;

    private final ClSession owner;
    private final cl_context context;
    private final long maxAllocBytes;
    private final Map<Slot, cl_mem> mems = new EnumMap<>(Slot.class);
    private final Map<Slot, Long> capacities = new EnumMap<>(Slot.class);
    private long allocations;

    BufferCache(ClSession owner, cl_context context, long maxAllocBytes) {
        this.owner = owner;
        this.context = context;
        this.maxAllocBytes = maxAllocBytes;
    }

    /**
     * A buffer of at least {@code bytes} bytes for {@code slot}; its contents are undefined.
     *
     * @throws IllegalArgumentException if {@code bytes} exceeds the device's largest allocation
     * @throws dev.nsp.kernel.BackendFailureException if the device cannot allocate it
     */
    cl_mem get(Slot slot, long bytes) {
        long need = Math.max(bytes, 4);
        if (need > maxAllocBytes) {
            throw new IllegalArgumentException("tensor: " + need + " bytes, the OpenCL device allocates at most "
                    + maxAllocBytes + " bytes per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
        }
        Long cap = capacities.get(slot);
        if (cap != null && cap >= need) {
            return mems.get(slot);
        }
        long grown = cap == null ? need : Math.max(need, Math.min(maxAllocBytes, cap + cap / 2));
        grown = Math.min(maxAllocBytes, (grown + ROUND - 1) / ROUND * ROUND);
        cl_mem old = mems.remove(slot);
        capacities.remove(slot);
        if (old != null) {
            CL.clReleaseMemObject(old);
            ClSession.released();
        }
        cl_mem m;
        try {
            owner.faults().before(FaultInjection.Kind.ALLOC, "clCreateBuffer(" + grown + " bytes)");
            m = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, grown, null, null);
        } catch (CLException e) {
            throw owner.failure("allocating " + grown + " bytes of device memory", e);
        }
        ClSession.created();
        mems.put(slot, m);
        capacities.put(slot, grown);
        allocations++;
        return m;
    }

    /** @return the bytes held by all slots */
    long heldBytes() {
        long sum = 0;
        for (long c : capacities.values()) {
            sum += c;
        }
        return sum;
    }

    /** @return how many buffers were created so far (a reuse check for tests) */
    long allocations() {
        return allocations;
    }

    /** Releases every buffer; harmless to call twice. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (cl_mem m : mems.values()) {
            try {
                CL.clReleaseMemObject(m);
                ClSession.released();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        mems.clear();
        capacities.clear();
        if (first != null) {
            throw first;
        }
    }
}
