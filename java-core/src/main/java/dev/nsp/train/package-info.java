/**
 * Training and evaluation: plain mini-batch SGD with a fixed learning rate ({@link dev.nsp.train.Sgd}),
 * the loop with progress events ({@link dev.nsp.train.Trainer}, {@link dev.nsp.train.TrainingListener}),
 * accuracy and confusion matrix ({@link dev.nsp.train.Evaluation}), on a {@link dev.nsp.data.Dataset}.
 *
 * <p>Determinism: the weights are initialised from one seed and each epoch's order comes from a
 * {@link java.util.SplittableRandom} seeded with {@link dev.nsp.train.TrainOptions#seed()}; the trainer
 * itself is single-threaded and allocates all tensors before the first batch. The same seeds, data,
 * backend and backend thread count therefore give bit-identical weights.
 *
 * <p>Batches: the trailing incomplete batch of an epoch is skipped (a different one each epoch); evaluation
 * covers every image.
 */
package dev.nsp.train;
