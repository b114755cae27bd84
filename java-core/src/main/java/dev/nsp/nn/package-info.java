/**
 * Trainable convolutional networks of Noisy Softplus units (Liu and Furber 2016; SPEC section 4).
 *
 * <p>A {@link dev.nsp.nn.Network} is built from a {@link dev.nsp.model.Architecture} (spec strings such as
 * {@code 6c5-2s-12c5-2s-10}, the paper's network, or {@code 16c5-2s-64c5-2s-10}, the wider one) and a
 * {@link dev.nsp.model.Activation}; it holds the weights (no biases anywhere) and runs forward and
 * backward passes through the {@link dev.nsp.kernel.Kernels} SPI; a {@link dev.nsp.nn.Workspace} holds
 * every per-batch tensor, allocated once per batch size. {@link dev.nsp.nn.Network#toModel} and
 * {@link dev.nsp.nn.Network#fromModel} convert to and from a {@link dev.nsp.model.SavedModel}, the form
 * that is saved and converted to a spiking network.
 *
 * <h2>Units</h2>
 * <ul>
 *   <li>Input: pixel values become activations {@code a = pixel/255 * K * tau_s} (K = 200 Hz,
 *       tau_s = 5 ms: a in [0, 1]) for all three activations, so that every network sees the same input and
 *       the spiking network can be driven by Poisson trains of {@code pixel/255 * K}.</li>
 *   <li>Convolution (and hidden dense) units: {@code x = W * a}; with {@code noisy-softplus} also
 *       {@code sigma = sqrt(W^2/2 * |a|)} (both from {@link dev.nsp.kernel.Kernels#momentConv2dForward});
 *       then {@code a_out = p f(x, sigma)} ({@code noisy-softplus}), {@code p k s softplus(x / (k s))} with
 *       the fixed s = softplusSigma ({@code softplus}) or {@code p max(x, 0)} ({@code relu});
 *       p = S tau_s = 1.005 by default ({@link dev.nsp.nn.Defaults}).</li>
 *   <li>Pooling (2x2, stride 2): with {@code noisy-softplus} the pooling units are Noisy Softplus units with
 *       the fixed weight 1/(4p) (mean and sigma from {@link dev.nsp.kernel.Kernels#momentPool2x2Forward}),
 *       so that a pooling unit passes its inputs' mean rate on; with {@code relu} and {@code softplus}
 *       pooling is plain average pooling (weight 1/4) without an activation, as in the usual ANN-to-SNN
 *       conversions.</li>
 *   <li>Output: the last dense layer's outputs are the logits of the softmax; it has no activation.</li>
 * </ul>
 *
 * <h2>Gradients</h2>
 * {@link dev.nsp.nn.SigmaGrad#NONE} treats sigma as a constant, as Liu's code does;
 * {@link dev.nsp.nn.SigmaGrad#FULL} also back-propagates through {@code df/dsigma} and the
 * {@code W^2/2 * |a|} path into the weights and the inputs. Both are checked against finite differences.
 *
 * <h2>Initialisation</h2>
 * Every weight is drawn uniformly from {@code [-sqrt(6/n), sqrt(6/n)]}, n the unit's fan-in (He et al.
 * 2015), from a {@link java.util.SplittableRandom} with the given seed. With p close to 1 the units behave
 * like rectifiers whose slope is p logistic(x / (k sigma)), and the rectifier initialisation keeps the
 * activations at the scale of the input: on MNIST test images (mean input activation 0.13) the paper's
 * freshly initialised noisy-softplus net has mean activations 0.18 after the first and 0.12 after the
 * second convolution. With the default learning rate (0.3, batch 50) it trains to 98.7 % test accuracy
 * in 10 epochs; see docs/training.md.
 */
package dev.nsp.nn;
