package dev.nsp.api;

import dev.nsp.kernel.Kernels;
import dev.nsp.response.Calibration;
import dev.nsp.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * The Noisy Softplus activation (Liu and Furber 2016) on a {@link Backend}:
 * {@code y = p f(x, sigma)} with {@code f(x, sigma) = k sigma log(1 + exp(x / (k sigma)))}, elementwise, and
 * its gradients for training. x is the mean input current of a unit and sigma its noise (both nA in the
 * spiking interpretation, any unit in an artificial network as long as they agree); sigma = 0 means ReLU,
 * {@code y = p max(x, 0)}. With the calibrated values of a LIF neuron, {@code S f} is its firing rate in Hz
 * and {@code p = S tau_syn} (tau_syn in s) turns it into the activation that the next layer sees
 * ({@link ResponseFit#activation(double, Backend)}).
 *
 * <p>Memory, without copies: the {@code float[]}, {@link FloatBuffer} and {@link MemorySegment} overloads hand
 * the caller's memory to the backend's kernels, which read the inputs and write the outputs in place. Direct
 * buffers and native segments are used in place by every backend; heap memory ({@code float[]}, heap
 * buffers) is used in place by the Java backends (reference, vector) and copied to native memory and back for
 * the native and OpenCL backends, which cannot read the Java heap ({@link Backend#readsHeapInPlace()}).
 * Buffers must be in {@link ByteOrder#nativeOrder() native byte order} (as {@link FloatBuffer#allocate},
 * {@link FloatBuffer#wrap} and {@code ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder())
 * .asFloatBuffer()} are); segments hold native-order floats and must not belong to a
 * {@linkplain Arena#ofConfined() confined arena} (the backends may use them from their own threads; use a shared,
 * automatic or global arena).
 *
 * <p>Every call takes all its arrays of the same length n and writes every output element. Outputs must not
 * overlap the inputs or each other. Invalid arguments throw before anything is written, except a negative
 * or NaN sigma element, which the kernel finds in its single pass: then the outputs' contents are unspecified.
 *
 * <p>Thread-safety: immutable; several threads may call it at once on different outputs.
 */
public final class NoisySoftplus {
    private final double k;
    private final double p;
    private final Backend backend;

    private NoisySoftplus(double k, double p, Backend backend) {
        this.k = k;
        this.p = p;
        this.backend = backend;
    }

    /**
     * The activation on the {@linkplain Backend#automatic() automatic backend}.
     *
     * @param k the curve scale (paper eq. 5), {@code > 0} and finite; 0.30 for the paper's neuron with
     *          tau_syn = 5 ms
     * @param p the output scale, finite (1 for plain {@code f}; {@code S tau_syn} for the activation of a
     *          converted network; S in Hz/nA for firing rates in Hz)
     * @return the activation
     * @throws IllegalArgumentException if k or p is out of range
     * @throws IllegalStateException if the automatic backend cannot be chosen (see {@link Backend#automatic()})
     */
    public static NoisySoftplus of(double k, double p) {
        return of(k, p, Backend.automatic());
    }

    /**
     * The activation on a chosen backend.
     *
     * @param k the curve scale, {@code > 0} and finite
     * @param p the output scale, finite
     * @param backend where the kernels run; the activation does not close it
     * @return the activation
     * @throws NullPointerException if backend is null
     * @throws IllegalArgumentException if k or p is out of range
     */
    public static NoisySoftplus of(double k, double p, Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (!(k > 0) || !Float.isFinite((float) k) || (float) k == 0f) {
            throw new IllegalArgumentException("k: " + k + ", must be finite and > 0 (as a float)");
        }
        if (!Float.isFinite((float) p)) {
            throw new IllegalArgumentException("p: " + p + ", must be finite (as a float)");
        }
        return new NoisySoftplus(k, p, backend);
    }

    /** {@return the curve scale k} */
    public double k() {
        return k;
    }

    /** {@return the output scale p} */
    public double p() {
        return p;
    }

    /** {@return the backend the kernels run on} */
    public Backend backend() {
        return backend;
    }

    /**
     * One value in double precision, without the backend: {@code p f(x, sigma)}.
     *
     * @param x the mean input (nA)
     * @param sigma the noise (nA), {@code >= 0}; 0 gives {@code p max(x, 0)}
     * @return {@code p f(x, sigma)}
     * @throws IllegalArgumentException if x is NaN or sigma is negative or NaN
     */
    public double value(double x, double sigma) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("x: NaN");
        }
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("sigma: " + sigma + ", must be >= 0 and not NaN");
        }
        return p * Calibration.noisySoftplus(x, sigma, k);
    }

    // ------------------------------------------------------------------------------------------------ float[]

    /**
     * {@code y[i] = p f(x[i], sigma[i])} over whole arrays.
     *
     * @param x the mean inputs (nA)
     * @param sigma the noise levels (nA), each {@code >= 0} and not NaN, same length as x
     * @param y the output, same length as x
     * @throws NullPointerException if an array is null
     * @throws IllegalArgumentException if the lengths differ, y overlaps an input, or a sigma element is
     *         negative or NaN
     */
    public void forward(float[] x, float[] sigma, float[] y) {
        int n = Objects.requireNonNull(x, "x").length;
        forward(x, 0, sigma, 0, y, 0, sameLength(n, "sigma", sigma, "y", y));
    }

    /**
     * {@code y[yOffset + i] = p f(x[xOffset + i], sigma[sigmaOffset + i])} for {@code i < length}.
     * ({@code FloatBuffer.wrap(array, offset, length)} is the same range, for the buffer overload.)
     *
     * @param x the mean inputs (nA)
     * @param xOffset the first element of x
     * @param sigma the noise levels (nA), each {@code >= 0} and not NaN
     * @param sigmaOffset the first element of sigma
     * @param y the output
     * @param yOffset the first element of y
     * @param length the number of elements, {@code >= 0}
     * @throws NullPointerException if an array is null
     * @throws IndexOutOfBoundsException if a range lies outside its array
     * @throws IllegalArgumentException if y's range overlaps an input's, or a sigma element is negative or NaN
     */
    public void forward(float[] x, int xOffset, float[] sigma, int sigmaOffset, float[] y, int yOffset, int length) {
        run(false, range("x", x, xOffset, length), range("sigma", sigma, sigmaOffset, length), null,
                range("y", y, yOffset, length), null);
    }

    /**
     * Gradients over whole arrays: {@code gradX = gradY p logistic(z)} and
     * {@code gradSigma = gradY p k (softplus(z) - z logistic(z))} with {@code z = x / (k sigma)}; where
     * sigma = 0, {@code gradX = gradY p step(x)} (step(0) = 0) and {@code gradSigma = 0}.
     *
     * @param x the mean inputs of the forward pass (nA)
     * @param sigma the noise levels of the forward pass (nA), each {@code >= 0} and not NaN
     * @param gradY the gradient of the loss with respect to y
     * @param gradX output: the gradient with respect to x
     * @param gradSigma output: the gradient with respect to sigma, or null to skip it
     * @throws NullPointerException if an array other than gradSigma is null
     * @throws IllegalArgumentException if the lengths differ, an output overlaps an input or the other output,
     *         or a sigma element is negative or NaN
     */
    public void backward(float[] x, float[] sigma, float[] gradY, float[] gradX, float[] gradSigma) {
        int n = Objects.requireNonNull(x, "x").length;
        sameLength(n, "sigma", sigma, "gradY", gradY);
        sameLength(n, "gradX", gradX, "gradSigma", gradSigma);
        backward(x, 0, sigma, 0, gradY, 0, gradX, 0, gradSigma, 0, n);
    }

    /**
     * Gradients (see {@link #backward(float[], float[], float[], float[], float[])}) over ranges of arrays.
     *
     * @param x the mean inputs (nA)
     * @param xOffset the first element of x
     * @param sigma the noise levels (nA), each {@code >= 0} and not NaN
     * @param sigmaOffset the first element of sigma
     * @param gradY the gradient with respect to y
     * @param gradYOffset the first element of gradY
     * @param gradX output: the gradient with respect to x
     * @param gradXOffset the first element of gradX
     * @param gradSigma output: the gradient with respect to sigma, or null to skip it
     * @param gradSigmaOffset the first element of gradSigma (ignored when gradSigma is null)
     * @param length the number of elements, {@code >= 0}
     * @throws NullPointerException if an array other than gradSigma is null
     * @throws IndexOutOfBoundsException if a range lies outside its array
     * @throws IllegalArgumentException if an output range overlaps an input's or the other output's, or a sigma
     *         element is negative or NaN
     */
    public void backward(float[] x, int xOffset, float[] sigma, int sigmaOffset, float[] gradY, int gradYOffset,
                         float[] gradX, int gradXOffset, float[] gradSigma, int gradSigmaOffset, int length) {
        run(true, range("x", x, xOffset, length), range("sigma", sigma, sigmaOffset, length),
                range("gradY", gradY, gradYOffset, length), range("gradX", gradX, gradXOffset, length),
                gradSigma == null ? null : range("gradSigma", gradSigma, gradSigmaOffset, length));
    }

    // ------------------------------------------------------------------------------------------------ FloatBuffer

    /**
     * {@code y = p f(x, sigma)} over the buffers' remaining elements (position to limit). Positions, limits
     * and marks are left as they are.
     *
     * @param x the mean inputs (nA); may be read-only
     * @param sigma the noise levels (nA), each {@code >= 0} and not NaN; may be read-only
     * @param y the output, writable
     * @throws NullPointerException if a buffer is null
     * @throws IllegalArgumentException if the remaining counts differ, a buffer is not in native byte order
     *         (or is a view of a heap {@code ByteBuffer}, or of a segment of a confined arena), y is read-only or
     *         overlaps an input, or a sigma element is negative or NaN
     */
    public void forward(FloatBuffer x, FloatBuffer sigma, FloatBuffer y) {
        MemorySegment xs = segment("x", x);
        run(false, xs, sameSize(xs, "sigma", segment("sigma", sigma)), null,
                sameSize(xs, "y", segment("y", y)), null);
    }

    /**
     * Gradients (see {@link #backward(float[], float[], float[], float[], float[])}) over the buffers'
     * remaining elements. Positions, limits and marks are left as they are.
     *
     * @param x the mean inputs (nA)
     * @param sigma the noise levels (nA), each {@code >= 0} and not NaN
     * @param gradY the gradient with respect to y
     * @param gradX output: the gradient with respect to x, writable
     * @param gradSigma output: the gradient with respect to sigma, writable, or null to skip it
     * @throws NullPointerException if a buffer other than gradSigma is null
     * @throws IllegalArgumentException if the remaining counts differ, a buffer is not in native byte order
     *         (or is a view of a heap {@code ByteBuffer}, or of a segment of a confined arena), an output is
     *         read-only or overlaps an input or the other output, or a sigma element is negative or NaN
     */
    public void backward(FloatBuffer x, FloatBuffer sigma, FloatBuffer gradY, FloatBuffer gradX,
                         FloatBuffer gradSigma) {
        MemorySegment xs = segment("x", x);
        run(true, xs, sameSize(xs, "sigma", segment("sigma", sigma)), sameSize(xs, "gradY", segment("gradY", gradY)),
                sameSize(xs, "gradX", segment("gradX", gradX)),
                gradSigma == null ? null : sameSize(xs, "gradSigma", segment("gradSigma", gradSigma)));
    }

    // ------------------------------------------------------------------------------------------------ MemorySegment

    /**
     * {@code y = p f(x, sigma)} over whole segments of native-order floats.
     *
     * @param x the mean inputs (nA): {@code 4 n} bytes, 4-byte aligned (native, or a heap segment over a
     *          {@code float[]}); may be read-only
     * @param sigma the noise levels (nA), each {@code >= 0} and not NaN, same size
     * @param y the output, same size, writable
     * @throws NullPointerException if a segment is null
     * @throws IllegalArgumentException if the sizes differ or are not a multiple of 4 bytes, a segment is not
     *         4-byte aligned or belongs to a confined arena, y is read-only or overlaps an input, or a sigma
     *         element is negative or NaN
     * @throws IllegalStateException if a segment's arena is closed
     */
    public void forward(MemorySegment x, MemorySegment sigma, MemorySegment y) {
        MemorySegment xs = checked("x", x);
        run(false, xs, sameSize(xs, "sigma", checked("sigma", sigma)), null, sameSize(xs, "y", checked("y", y)),
                null);
    }

    /**
     * Gradients (see {@link #backward(float[], float[], float[], float[], float[])}) over whole segments of
     * native-order floats.
     *
     * @param x the mean inputs (nA), {@code 4 n} bytes, 4-byte aligned
     * @param sigma the noise levels (nA), each {@code >= 0} and not NaN, same size
     * @param gradY the gradient with respect to y, same size
     * @param gradX output: the gradient with respect to x, same size, writable
     * @param gradSigma output: the gradient with respect to sigma, same size, writable, or null to skip it
     * @throws NullPointerException if a segment other than gradSigma is null
     * @throws IllegalArgumentException if the sizes differ or are not a multiple of 4 bytes, a segment is not
     *         4-byte aligned or belongs to a confined arena, an output is read-only or overlaps an input or the
     *         other output, or a sigma element is negative or NaN
     * @throws IllegalStateException if a segment's arena is closed
     */
    public void backward(MemorySegment x, MemorySegment sigma, MemorySegment gradY, MemorySegment gradX,
                         MemorySegment gradSigma) {
        MemorySegment xs = checked("x", x);
        run(true, xs, sameSize(xs, "sigma", checked("sigma", sigma)), sameSize(xs, "gradY", checked("gradY", gradY)),
                sameSize(xs, "gradX", checked("gradX", gradX)),
                gradSigma == null ? null : sameSize(xs, "gradSigma", checked("gradSigma", gradSigma)));
    }

    @Override
    public String toString() {
        return "NoisySoftplus[k=" + k + ", p=" + p + ", " + backend.name() + "]";
    }

    // ------------------------------------------------------------------------------------------------ internals

    /**
     * Runs the forward (gradY null, out1 = y) or backward (out1 = gradX, out2 = gradSigma or null) kernel on
     * the caller's memory, staging heap operands through native memory for backends that need it.
     */
    private void run(boolean backward, MemorySegment x, MemorySegment sigma, MemorySegment gradY,
                     MemorySegment out1, MemorySegment out2) {
        String out1Name = backward ? "gradX" : "y";
        touch("x", x);
        touch("sigma", sigma);
        touch("gradY", gradY);
        touch(out1Name, out1);
        touch("gradSigma", out2);
        writable(out1Name, out1);
        noOverlap(out1Name, out1, "x", x);
        noOverlap(out1Name, out1, "sigma", sigma);
        noOverlap(out1Name, out1, "gradY", gradY);
        if (out2 != null) {
            writable("gradSigma", out2);
            noOverlap("gradSigma", out2, "x", x);
            noOverlap("gradSigma", out2, "sigma", sigma);
            noOverlap("gradSigma", out2, "gradY", gradY);
            noOverlap("gradSigma", out2, "gradX", out1);
        }
        long n = x.byteSize() / Float.BYTES;
        if (n == 0) {
            return;
        }
        Kernels kernels = backend.kernels();
        int[] shape = {Math.toIntExact(n)};
        boolean stage = !backend.readsHeapInPlace() && (!x.isNative() || !sigma.isNative()
                || (gradY != null && !gradY.isNative()) || !out1.isNative() || (out2 != null && !out2.isNative()));
        try (Arena arena = stage ? Arena.ofConfined() : null) {
            MemorySegment xa = staged(arena, x, true);
            MemorySegment sa = staged(arena, sigma, true);
            MemorySegment ga = staged(arena, gradY, true);
            MemorySegment o1 = staged(arena, out1, false);
            MemorySegment o2 = staged(arena, out2, false);
            Tensor xt = Tensor.wrap(xa, shape);
            Tensor st = Tensor.wrap(sa, shape);
            Tensor o1t = Tensor.wrap(o1, shape);
            if (backward) {
                Tensor gt = Tensor.wrap(ga, shape);
                Tensor o2t = o2 == null ? null : Tensor.wrap(o2, shape);
                kernels.noisySoftplusBackward(xt, st, (float) k, (float) p, gt, o1t, o2t);
            } else {
                kernels.noisySoftplusForward(xt, st, (float) k, (float) p, o1t);
            }
            if (o1 != out1) {
                MemorySegment.copy(o1, 0, out1, 0, out1.byteSize());
            }
            if (o2 != out2) {
                MemorySegment.copy(o2, 0, out2, 0, out2.byteSize());
            }
        }
    }

    /** The segment itself, or (arena non-null and a heap segment) a native copy of it (of its contents if input). */
    private static MemorySegment staged(Arena arena, MemorySegment s, boolean input) {
        if (arena == null || s == null || s.isNative()) {
            return s;
        }
        MemorySegment copy = arena.allocate(s.byteSize(), Tensor.ALIGNMENT);
        if (input) {
            MemorySegment.copy(s, 0, copy, 0, s.byteSize());
        }
        return copy;
    }

    private static MemorySegment range(String name, float[] a, int offset, int length) {
        Objects.requireNonNull(a, name);
        if (offset < 0 || length < 0 || offset > a.length - length) {
            throw new IndexOutOfBoundsException(name + ": range [" + offset + ", " + offset + " + " + length
                    + ") outside an array of length " + a.length);
        }
        return MemorySegment.ofArray(a).asSlice((long) offset * Float.BYTES, (long) length * Float.BYTES);
    }

    private static int sameLength(int n, String name1, float[] a1, String name2, float[] a2) {
        if (a1 != null && a1.length != n) {
            throw new IllegalArgumentException(name1 + ": length " + a1.length + ", must equal x's length " + n);
        }
        if (a2 != null && a2.length != n) {
            throw new IllegalArgumentException(name2 + ": length " + a2.length + ", must equal x's length " + n);
        }
        return n;
    }

    private static MemorySegment segment(String name, FloatBuffer b) {
        Objects.requireNonNull(b, name);
        if (b.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException(name + ": byte order " + b.order() + ", must be the native order "
                    + ByteOrder.nativeOrder() + " (ByteBuffer.order(ByteOrder.nativeOrder()).asFloatBuffer())");
        }
        return checked(name, MemorySegment.ofBuffer(b));
    }

    private static MemorySegment checked(String name, MemorySegment s) {
        Objects.requireNonNull(s, name);
        if (s.byteSize() % Float.BYTES != 0) {
            throw new IllegalArgumentException(name + ": " + s.byteSize() + " bytes, must be a multiple of "
                    + Float.BYTES + " (whole floats)");
        }
        if (s.maxByteAlignment() < Float.BYTES) {
            throw new IllegalArgumentException(name + ": " + s + " is aligned to " + s.maxByteAlignment()
                    + " byte(s), floats need 4 (use a native segment, a direct buffer or memory over a float[])");
        }
        return s;
    }

    private static MemorySegment sameSize(MemorySegment x, String name, MemorySegment s) {
        if (s.byteSize() != x.byteSize()) {
            throw new IllegalArgumentException(name + ": " + s.byteSize() / Float.BYTES + " floats, must equal x's "
                    + x.byteSize() / Float.BYTES);
        }
        return s;
    }

    private static void writable(String name, MemorySegment s) {
        if (s.isReadOnly()) {
            throw new IllegalArgumentException(name + ": read-only, an output must be writable");
        }
    }

    private static void noOverlap(String outName, MemorySegment out, String inName, MemorySegment in) {
        if (in != null && out.byteSize() > 0 && in.byteSize() > 0 && out.asOverlappingSlice(in).isPresent()) {
            throw new IllegalArgumentException(outName + ": must not overlap " + inName);
        }
    }

    private static void touch(String name, MemorySegment s) {
        if (s == null) {
            return;
        }
        if (!s.scope().isAlive()) {
            throw new IllegalStateException(name + ": the segment's arena is closed");
        }
        if (!s.isAccessibleBy(PROBE_THREAD)) {
            throw new IllegalArgumentException(name + ": a segment of a confined arena; the backends may work on"
                    + " it from their own threads, so allocate it in Arena.ofShared(), Arena.ofAuto() or Arena.global()");
        }
    }

    /** A thread that owns no arena: a segment it may access is not confined to a thread. */
    private static final Thread PROBE_THREAD = Thread.ofVirtual().unstarted(() -> { });
}
