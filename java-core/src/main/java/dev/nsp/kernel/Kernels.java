package dev.nsp.kernel;

import dev.nsp.tensor.Tensor;

/**
 * The kernel SPI: every compute kernel of nsp, implemented once plainly by the reference backend and
 * again, fast, by every other backend (Vector API, native C, OpenCL). Obtain one with
 * {@link Backends#get()} (the best available, validated) or {@link Backends#create(String)}.
 *
 * <p>Conventions. Tensors are float32, row-major; images are NCHW. Every method writes all of its
 * output elements (outputs are overwritten, never accumulated, unless the name says "accumulate").
 * Inputs and outputs must not overlap, except where a method says so. Arguments are validated by the
 * wrapper that {@link Backends} returns ({@link CheckedKernels}): implementations may assume valid input.
 *
 * <p>Convolution is cross-correlation with valid padding, stride 1, no bias:
 * {@code out[n,o,i,j] = sum_{c,u,v} in[n,c,i+u,j+v] w[o,c,u,v]}, weights [O, C, KH, KW].
 * Dense layers: {@code out[n,m] = sum_k in[n,k] w[m,k]}, weights [M, K].
 * 2x2 pooling (stride 2, H and W even): {@code out[n,c,i,j] = weight * sum of in[n,c,2i..2i+1,2j..2j+1]}.
 *
 * <p>The moment forms (SPEC section 4) compute, for a layer with weights w applied to activations a,
 * {@code mean = sum w a} and {@code sigma = sqrt(sum w^2 |a| / 2)} in one call. Their backward computes
 * the gradient through the mean and, when a sigma gradient is given, through the variance path
 * ({@code d sigma / d v = 1 / (2 sigma)}, taken as 0 where sigma = 0).
 *
 * <p>Implementations are thread-safe: different threads may call a kernel concurrently on different
 * output tensors.
 */
public interface Kernels extends AutoCloseable {

    /** {@return the backend's name: {@code reference}, {@code vector}, {@code native} or {@code opencl}} */
    String name();

    // ---------------------------------------------------------------- activations (elementwise)

    /**
     * Noisy Softplus, {@code y = p * k sigma log(1 + exp(x / (k sigma)))}, evaluated as
     * {@code p k sigma (max(z,0) + log1p(exp(-|z|)))} with {@code z = x / (k sigma)}; sigma = 0 gives
     * {@code p max(x, 0)}.
     *
     * @param x mean input current (nA)
     * @param sigma noise level, {@code >= 0}, same size as x
     * @param k curve scale, {@code > 0}
     * @param p output scale (p = S tau_s in the parametric form), finite
     * @param y output, same size as x
     */
    void noisySoftplusForward(Tensor x, Tensor sigma, float k, float p, Tensor y);

    /**
     * Gradients of {@link #noisySoftplusForward}: {@code gradX = gradY p logistic(z)} and
     * {@code gradSigma = gradY p k (softplus(z) - z logistic(z))}; at sigma = 0,
     * {@code gradX = gradY p step(x)} (step(0) = 0) and {@code gradSigma = 0}.
     *
     * @param x mean input current (nA) of the forward pass
     * @param sigma noise level of the forward pass, {@code >= 0}, same size as x
     * @param k curve scale, {@code > 0}
     * @param p output scale, finite
     * @param gradY gradient of the loss w.r.t. y, same size as x
     * @param gradX output: gradient w.r.t. x, same size as x
     * @param gradSigma output: gradient w.r.t. sigma, or null to skip it
     */
    void noisySoftplusBackward(Tensor x, Tensor sigma, float k, float p, Tensor gradY, Tensor gradX, Tensor gradSigma);

    /**
     * Softplus with a fixed noise level: {@code y = p s log(1 + exp(x / s))} with {@code s = k sigma > 0}.
     *
     * @param x input
     * @param scale s, {@code > 0}
     * @param p output scale, finite
     * @param y output, same size as x
     */
    void softplusForward(Tensor x, float scale, float p, Tensor y);

    /**
     * Gradient of {@link #softplusForward}: {@code gradX = gradY p logistic(x / scale)}.
     *
     * @param x input of the forward pass
     * @param scale s, {@code > 0}
     * @param p output scale, finite
     * @param gradY gradient w.r.t. y, same size as x
     * @param gradX output: gradient w.r.t. x, same size as x
     */
    void softplusBackward(Tensor x, float scale, float p, Tensor gradY, Tensor gradX);

    /**
     * ReLU: {@code y = p max(x, 0)}.
     *
     * @param x input
     * @param p output scale, finite
     * @param y output, same size as x
     */
    void reluForward(Tensor x, float p, Tensor y);

    /**
     * Gradient of {@link #reluForward}: {@code gradX = gradY p step(x)}, step(0) = 0.
     *
     * @param x input of the forward pass
     * @param p output scale, finite
     * @param gradY gradient w.r.t. y, same size as x
     * @param gradX output: gradient w.r.t. x, same size as x
     */
    void reluBackward(Tensor x, float p, Tensor gradY, Tensor gradX);

    // ---------------------------------------------------------------- convolution

    /**
     * Convolution (cross-correlation, valid padding, stride 1).
     *
     * @param input [N,C,H,W]
     * @param weights [O,C,KH,KW]
     * @param output [N,O,H-KH+1,W-KW+1]
     */
    void conv2dForward(Tensor input, Tensor weights, Tensor output);

    /**
     * Gradient of the loss w.r.t. the input: the full correlation of gradOutput with the flipped kernel.
     *
     * @param gradOutput [N,O,H-KH+1,W-KW+1]
     * @param weights [O,C,KH,KW]
     * @param gradInput output [N,C,H,W]
     */
    void conv2dBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput);

    /**
     * Gradient w.r.t. the weights, summed over the batch; overwrites gradWeights.
     *
     * @param input [N,C,H,W]
     * @param gradOutput [N,O,H-KH+1,W-KW+1]
     * @param gradWeights output [O,C,KH,KW]
     */
    void conv2dBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights);

    /**
     * The moment form of a convolution: {@code mean = W * a}, {@code sigma = sqrt((W^2 / 2) * |a|)}.
     *
     * @param input the activations a, [N,C,H,W]
     * @param weights W, [O,C,KH,KW]
     * @param mean output [N,O,H-KH+1,W-KW+1]
     * @param sigma output, same shape as mean
     */
    void momentConv2dForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma);

    /**
     * Backward of {@link #momentConv2dForward}.
     *
     * @param input the activations of the forward pass, [N,C,H,W]
     * @param weights [O,C,KH,KW]
     * @param sigma the sigma the forward produced
     * @param gradMean gradient w.r.t. the mean, same shape as sigma
     * @param gradSigma gradient w.r.t. sigma, or null to treat sigma as a constant
     * @param gradInput output, or null to skip
     * @param gradWeights output, or null to skip
     */
    void momentConv2dBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                              Tensor gradInput, Tensor gradWeights);

    // ---------------------------------------------------------------- pooling

    /**
     * 2x2 pooling, stride 2: {@code out = weight * sum of each 2x2 block}.
     *
     * @param input [N,C,H,W], H and W even
     * @param weight the weight of every input, finite
     * @param output [N,C,H/2,W/2]
     */
    void pool2x2Forward(Tensor input, float weight, Tensor output);

    /**
     * Gradient of {@link #pool2x2Forward}: {@code gradInput[.., y, x] = weight * gradOutput[.., y/2, x/2]}.
     *
     * @param gradOutput [N,C,H/2,W/2]
     * @param weight the weight of the forward pass
     * @param gradInput output [N,C,H,W]
     */
    void pool2x2Backward(Tensor gradOutput, float weight, Tensor gradInput);

    /**
     * The moment form of 2x2 pooling: {@code mean = weight * sum a},
     * {@code sigma = sqrt(weight^2 / 2 * sum |a|)} over each 2x2 block.
     *
     * @param input the activations a, [N,C,H,W], H and W even
     * @param weight the weight of every input, finite
     * @param mean output [N,C,H/2,W/2]
     * @param sigma output, same shape as mean
     */
    void momentPool2x2Forward(Tensor input, float weight, Tensor mean, Tensor sigma);

    /**
     * Backward of {@link #momentPool2x2Forward} w.r.t. the input.
     *
     * @param input the activations of the forward pass, [N,C,H,W]
     * @param weight the weight of the forward pass
     * @param sigma the sigma the forward produced, [N,C,H/2,W/2]
     * @param gradMean gradient w.r.t. the mean, same shape as sigma
     * @param gradSigma gradient w.r.t. sigma, or null to treat sigma as a constant
     * @param gradInput output [N,C,H,W]
     */
    void momentPool2x2Backward(Tensor input, float weight, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                               Tensor gradInput);

    // ---------------------------------------------------------------- dense

    /**
     * A dense layer: {@code out[n,m] = sum_k in[n,k] w[m,k]}.
     *
     * @param input [N,K]
     * @param weights [M,K]
     * @param output [N,M]
     */
    void denseForward(Tensor input, Tensor weights, Tensor output);

    /**
     * Gradient of {@link #denseForward} w.r.t. the input: {@code gradInput = gradOutput W}.
     *
     * @param gradOutput [N,M]
     * @param weights [M,K]
     * @param gradInput output [N,K]
     */
    void denseBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput);

    /**
     * Gradient of {@link #denseForward} w.r.t. the weights: {@code gradWeights = gradOutput^T input}, summed
     * over the batch.
     *
     * @param input [N,K]
     * @param gradOutput [N,M]
     * @param gradWeights output [M,K]
     */
    void denseBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights);

    /**
     * The moment form of a dense layer: {@code mean = a W^T}, {@code sigma = sqrt(|a| (W^2 / 2)^T)}.
     *
     * @param input the activations a, [N,K]
     * @param weights W, [M,K]
     * @param mean output [N,M]
     * @param sigma output [N,M]
     */
    void momentDenseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma);

    /**
     * Backward of {@link #momentDenseForward}.
     *
     * @param input the activations of the forward pass, [N,K]
     * @param weights [M,K]
     * @param sigma the sigma the forward produced, [N,M]
     * @param gradMean gradient w.r.t. the mean, [N,M]
     * @param gradSigma gradient w.r.t. sigma, or null to treat sigma as a constant
     * @param gradInput output [N,K], or null to skip
     * @param gradWeights output [M,K], or null to skip
     */
    void momentDenseBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                             Tensor gradInput, Tensor gradWeights);

    // ---------------------------------------------------------------- loss

    /**
     * Softmax with cross-entropy loss, mean over the batch.
     *
     * @param logits [N,M]
     * @param labels N labels in [0, M)
     * @param probabilities output [N,M], the softmax
     * @param gradLogits output [N,M], {@code (softmax - onehot) / N}, or null
     * @return the mean loss {@code -1/N sum log softmax[n, label_n]}
     */
    float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor probabilities, Tensor gradLogits);

    // ---------------------------------------------------------------- spiking

    /**
     * Advances N LIF neurons by {@code steps} time steps (see {@link LifPropagators} for the update),
     * entirely inside the backend (a GPU backend launches kernels only).
     *
     * @param c the propagators
     * @param state the state, updated in place
     * @param steps T, {@code >= 1}
     * @param inputs the drive; its [T,N] tensors must have T = steps
     * @param spikes output [T,N] of 0/1, or null
     * @param spikeCounts [N], incremented by the number of spikes of each neuron (accumulated), or null
     */
    void lifRun(LifPropagators c, LifState state, int steps, LifInputs inputs, Tensor spikes, Tensor spikeCounts);

    /**
     * Event-driven synaptic input through a convolution: for every input element with a non-zero spike
     * count s, adds {@code s * w} to the outputs it projects to, positive products into excitatory,
     * negative ones into inhibitory. Cost is proportional to the number of spikes.
     *
     * @param spikes [N,C,H,W] spike counts
     * @param weights [O,C,KH,KW], nA
     * @param excitatory [N,O,H-KH+1,W-KW+1], accumulated
     * @param inhibitory same shape, accumulated (receives negative values)
     */
    void spikeConv2dAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory);

    /**
     * Event-driven 2x2 pooling synapses of one weight; accumulates into excitatory or inhibitory by its sign.
     *
     * @param spikes [N,C,H,W] spike counts, H and W even
     * @param weight the synaptic weight, nA, finite
     * @param excitatory [N,C,H/2,W/2], accumulated
     * @param inhibitory same shape, accumulated (receives negative values)
     */
    void spikePool2x2Accumulate(Tensor spikes, float weight, Tensor excitatory, Tensor inhibitory);

    /**
     * Event-driven dense synapses.
     *
     * @param spikes [N,K] spike counts
     * @param weights [M,K], nA
     * @param excitatory [N,M], accumulated
     * @param inhibitory [N,M], accumulated (receives negative values)
     */
    void spikeDenseAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory);

    /**
     * Bernoulli spikes: element i spikes (1) in this step iff {@code u < probability[i]}, where u is the
     * first 24-bit uniform of {@link Philox#uniform24} keyed by (seed, i, stream, step); else 0.
     * Every backend draws exactly the same spikes.
     *
     * @param seed the key of the random stream
     * @param stream the stream number, to separate independent uses of one seed
     * @param step the time step, in [0, {@link Philox#MAX_STEP}]
     * @param probability spike probability per element in this step (rate * dt), in [0, 1]
     * @param spikes output, same size: 1 where the element spikes, else 0
     */
    void bernoulliSpikes(long seed, int stream, long step, Tensor probability, Tensor spikes);

    /**
     * Bernoulli spikes of several streams in one call: row r of the [R, ...] tensors gets exactly the spikes
     * of {@code bernoulliSpikes(seed, firstStream + r, step, probability.slice(r), spikes.slice(r))} (the
     * stream wraps like Java int arithmetic). A spiking simulation keys each image's input by the image, so
     * the spikes of an image do not depend on its position in a batch; this draws a whole batch at once.
     *
     * @param seed the key of the random streams
     * @param firstStream the stream number of row 0
     * @param step the time step, in [0, {@link Philox#MAX_STEP}]
     * @param probability [R, ...] spike probabilities in this step, in [0, 1]
     * @param spikes [R, ...] (same size), overwritten with 0/1
     */
    default void bernoulliSpikeRows(long seed, int firstStream, long step, Tensor probability, Tensor spikes) {
        int rows = probability.shape()[0];
        for (int r = 0; r < rows; r++) {
            bernoulliSpikes(seed, firstStream + r, step, probability.slice(r), spikes.slice(r));
        }
    }

    /**
     * Poisson counts by the product-of-uniforms method: the count is the number of uniforms
     * (from {@link Philox}, keyed by (seed, i, stream, step), in draw order) whose running product stays
     * above {@code expNegLambda[i]} = exp(-expected count). Every backend draws exactly the same counts.
     *
     * @param seed the key of the random stream
     * @param stream the stream number, to separate independent uses of one seed
     * @param step the time step, in [0, {@link Philox#MAX_STEP}]
     * @param expNegLambda exp(-lambda) per element, in [e^-64, 1] (see {@link Philox#expNegLambda})
     * @param counts output, same size: the count of each element
     */
    void poissonCounts(long seed, int stream, long step, Tensor expNegLambda, Tensor counts);

    /** Releases the backend's resources (thread pools, devices). Closing twice is harmless. */
    @Override
    void close();
}
