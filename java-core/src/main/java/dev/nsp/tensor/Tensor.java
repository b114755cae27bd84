package dev.nsp.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A dense float32 tensor with a shape (row-major; images are NCHW), backed by off-heap memory.
 *
 * <p>The memory is a 64-byte aligned {@link MemorySegment} owned by a shared {@link Arena}, so the same
 * bytes can be handed to Vector API loops, to native code (FFM) and to OpenCL without copies.
 * {@link #close()} frees it; any later use of the tensor or of a view of it throws
 * {@link IllegalStateException} naming the tensor. Views ({@link #view}, {@link #reshape}) share the
 * parent's memory and die with it; closing a view only invalidates the view.
 *
 * <p>Thread-safety: element access is not synchronised; several threads may read, or write disjoint
 * ranges, concurrently. Closing while another thread uses the tensor is the caller's error (the shared
 * arena makes that an exception in the other thread, never a crash).
 */
public final class Tensor implements AutoCloseable {
    /** Alignment of every allocation, in bytes (one AVX-512 register, one cache line). */
    public static final long ALIGNMENT = 64;

    /** Off-heap bytes of open owner tensors in this JVM (a leak check: tests and the soak test watch it). */
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    /** Open owner tensors in this JVM. */
    private static final AtomicLong LIVE_TENSORS = new AtomicLong();

    private final int[] shape;
    private final long size;
    private final MemorySegment segment;
    private final Arena arena;          // null for views
    private final Tensor parent;        // null for owners
    private final AtomicBoolean closed = new AtomicBoolean();

    private Tensor(int[] shape, MemorySegment segment, Arena arena, Tensor parent) {
        this.shape = shape;
        this.size = segment.byteSize() / Float.BYTES;
        this.segment = segment;
        this.arena = arena;
        this.parent = parent;
    }

    /**
     * Allocates a zero-filled tensor.
     *
     * @param shape the dimensions, each {@code >= 1}, at least one dimension
     * @return a new tensor that the caller must close
     * @throws IllegalArgumentException if a dimension is {@code < 1} or the size overflows
     */
    public static Tensor zeros(int... shape) {
        int[] s = checkShape("shape", shape);
        long n = product(s);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = arena.allocate(n * Float.BYTES, ALIGNMENT);
            Tensor t = new Tensor(s, seg, arena, null);
            LIVE_BYTES.addAndGet(n * Float.BYTES);
            LIVE_TENSORS.incrementAndGet();
            return t;
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Allocates a tensor holding a copy of {@code data}.
     *
     * @param data the values in row-major order; its length must equal the product of {@code shape}
     * @param shape the dimensions
     * @return a new tensor that the caller must close
     */
    public static Tensor of(float[] data, int... shape) {
        int[] s = checkShape("shape", shape);
        if (data.length != product(s)) {
            throw new IllegalArgumentException("data: length " + data.length + " does not match shape "
                    + Arrays.toString(s) + " (size " + product(s) + ")");
        }
        Tensor t = zeros(s);
        MemorySegment.copy(data, 0, t.segment, ValueLayout.JAVA_FLOAT, 0, data.length);
        return t;
    }

    /**
     * A tensor over memory that the caller owns, without copying: the first {@code product(shape)} floats
     * (native byte order) of {@code segment}. Kernels read and write the caller's memory directly.
     *
     * <p>The tensor does not own the memory: {@link #close()} only invalidates the tensor, and the memory
     * lives as long as the segment's own scope (using the tensor after that scope closes throws
     * {@link IllegalStateException}). Such a tensor is only as aligned as the segment (4 bytes at least,
     * not {@link #ALIGNMENT}); every backend accepts that. A heap segment (over a {@code float[]}) works with
     * the backends that run in Java (reference, vector); native code and OpenCL need a native segment.
     *
     * @param segment the memory: native, or a heap segment over a {@code float[]}, with an address aligned to
     *                4 bytes and at least {@code product(shape) * 4} bytes long; a read-only segment gives a
     *                tensor that can only be read (writing it throws {@link UnsupportedOperationException})
     * @param shape the dimensions, each {@code >= 1}
     * @return a tensor sharing the segment's memory; closing it does not free that memory
     * @throws IllegalArgumentException if the segment is too small or not 4-byte aligned (a
     *         heap segment over a {@code byte[]}, say), or if the shape is invalid
     */
    public static Tensor wrap(MemorySegment segment, int... shape) {
        java.util.Objects.requireNonNull(segment, "segment");
        int[] s = checkShape("shape", shape);
        long bytes = product(s) * Float.BYTES;
        if (segment.maxByteAlignment() < Float.BYTES) {
            throw new IllegalArgumentException("segment: " + segment + " is aligned to "
                    + segment.maxByteAlignment() + " bytes, floats need 4 (a native segment or one over a float[])");
        }
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException("segment: " + segment.byteSize() + " bytes, shape "
                    + Arrays.toString(s) + " needs " + bytes);
        }
        return new Tensor(s, segment.asSlice(0, bytes), null, null);
    }

    /** {@return a new tensor with the same shape and a copy of this tensor's values} */
    public Tensor copy() {
        Tensor t = zeros(shape);
        MemorySegment.copy(segment(), 0, t.segment, 0, size * Float.BYTES);
        return t;
    }

    /** {@return a copy of the shape} */
    public int[] shape() {
        return shape.clone();
    }

    /** {@return the number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /**
     * {@return the extent of that dimension}
     *
     * @param axis a dimension index in {@code [0, rank())}
     */
    public int dim(int axis) {
        if (axis < 0 || axis >= shape.length) {
            throw new IndexOutOfBoundsException("axis: " + axis + " not in [0, " + shape.length + ")");
        }
        return shape[axis];
    }

    /** {@return the number of elements} */
    public long size() {
        return size;
    }

    /**
     * {@return true if the shape equals {@code other}'s}
     *
     * @param other another tensor
     */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** {@return true once this tensor (or the tensor it views) has been closed} */
    public boolean isClosed() {
        return closed.get() || (parent != null && parent.isClosed());
    }

    /**
     * The memory of this tensor: {@code size() * 4} bytes, native byte order floats.
     *
     * @return the segment
     * @throws IllegalStateException if the tensor is closed
     */
    public MemorySegment segment() {
        ensureOpen();
        return segment;
    }

    /**
     * Checks that the tensor can be used.
     *
     * @throws IllegalStateException if the tensor is closed
     */
    public void ensureOpen() {
        if (isClosed()) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape) + " used after close");
        }
    }

    /**
     * {@return the element}
     *
     * @param index a flat row-major index in {@code [0, size())}
     */
    public float get(long index) {
        return segment().getAtIndex(ValueLayout.JAVA_FLOAT, checkIndex(index));
    }

    /**
     * Sets one element.
     *
     * @param index a flat row-major index in {@code [0, size())}
     * @param value the new value
     */
    public void set(long index, float value) {
        segment().setAtIndex(ValueLayout.JAVA_FLOAT, checkIndex(index), value);
    }

    /** {@return a new heap array with all elements in row-major order} */
    public float[] toArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + size + " elements does not fit a float[]");
        }
        return segment().toArray(ValueLayout.JAVA_FLOAT);
    }

    /**
     * Copies {@code data} into this tensor.
     *
     * @param data exactly {@code size()} values
     */
    public void copyFrom(float[] data) {
        if (data.length != size) {
            throw new IllegalArgumentException("data: length " + data.length + " != tensor size " + size);
        }
        MemorySegment.copy(data, 0, segment(), ValueLayout.JAVA_FLOAT, 0, data.length);
    }

    /**
     * Copies another tensor of the same size into this one.
     *
     * @param source a tensor with {@code source.size() == size()}
     */
    public void copyFrom(Tensor source) {
        if (source.size != size) {
            throw new IllegalArgumentException("source: size " + source.size + " != tensor size " + size);
        }
        MemorySegment.copy(source.segment(), 0, segment(), 0, size * Float.BYTES);
    }

    /**
     * Sets every element to {@code value}.
     *
     * @param value the value
     */
    public void fill(float value) {
        MemorySegment seg = segment();
        if (value == 0f && Float.floatToRawIntBits(value) == 0) {
            seg.fill((byte) 0);
            return;
        }
        for (long i = 0; i < size; i++) {
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
        }
    }

    /**
     * A view of a contiguous range of this tensor's elements with a new shape.
     *
     * @param offset the first element, in {@code [0, size())}
     * @param shape the view's shape; {@code offset + product(shape) <= size()}
     * @return a view that shares memory with this tensor
     */
    public Tensor view(long offset, int... shape) {
        int[] s = checkShape("shape", shape);
        long n = product(s);
        if (offset < 0 || offset > size || n > size - offset) {
            throw new IndexOutOfBoundsException("view: offset " + offset + " + size " + n
                    + " outside tensor " + Arrays.toString(this.shape) + " of size " + size);
        }
        MemorySegment seg = segment().asSlice(offset * Float.BYTES, n * Float.BYTES);
        return new Tensor(s, seg, null, parent != null ? parent : this);
    }

    /**
     * A view of the whole tensor with another shape of the same size.
     *
     * @param shape the new shape; its product must equal {@code size()}
     * @return a view that shares memory with this tensor
     */
    public Tensor reshape(int... shape) {
        int[] s = checkShape("shape", shape);
        if (product(s) != size) {
            throw new IllegalArgumentException("shape: " + Arrays.toString(s) + " has size " + product(s)
                    + ", tensor " + Arrays.toString(this.shape) + " has size " + size);
        }
        return view(0, s);
    }

    /**
     * The {@code index}-th slice along the first axis (e.g. one image of a batch).
     *
     * @param index in {@code [0, dim(0))}
     * @return a view of rank {@code rank() - 1} (rank 1 for a rank-1 tensor: one element)
     */
    public Tensor slice(int index) {
        if (index < 0 || index >= shape[0]) {
            throw new IndexOutOfBoundsException("index: " + index + " not in [0, " + shape[0] + ")");
        }
        int[] rest = shape.length == 1 ? new int[] {1} : Arrays.copyOfRange(shape, 1, shape.length);
        return view(index * product(rest), rest);
    }

    /**
     * Frees the memory (owners) or invalidates the view (views). Closing twice is harmless.
     *
     * @throws IllegalStateException if another thread is inside a native call with this tensor's memory; the
     *         tensor then stays open
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && arena != null) {
            try {
                arena.close();
            } catch (IllegalStateException e) {
                closed.set(false);      // in use by a native call of another thread: still open, close again later
                throw e;
            }
            LIVE_BYTES.addAndGet(-segment.byteSize());
            LIVE_TENSORS.decrementAndGet();
        }
    }

    /**
     * Off-heap memory held by open tensors: a leak check.
     *
     * @return the off-heap bytes held by tensors of this JVM that were allocated and not yet closed (views hold
     *         none); flat over a long run means no tensor leaks
     */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /**
     * Open tensors: a leak check.
     *
     * @return the number of tensors (not views) of this JVM that were allocated and not yet closed
     */
    public static long liveCount() {
        return LIVE_TENSORS.get();
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (isClosed() ? " (closed)" : "");
    }

    private long checkIndex(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index: " + index + " not in [0, " + size + ")");
        }
        return index;
    }

    private static int[] checkShape(String name, int[] shape) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException(name + ": at least one dimension is required");
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new IllegalArgumentException(name + ": dimension " + i + " is " + shape[i]
                        + ", must be >= 1 (shape " + Arrays.toString(shape) + ")");
            }
        }
        product(shape);
        return shape.clone();
    }

    private static long product(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        if (n > Long.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("shape: size " + n + " overflows");
        }
        return n;
    }
}
