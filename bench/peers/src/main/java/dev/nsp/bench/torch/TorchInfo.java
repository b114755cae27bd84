package dev.nsp.bench.torch;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.TreeSet;

/**
 * Prints what PyTorch runs with, as {@code key=value} lines for the peer report: the PyTorch and DJL versions,
 * the intra-op and inter-op thread counts and the library's features (MKL, MKLDNN = oneDNN, OpenMP). Exits with
 * status 3 and a one-line reason when PyTorch cannot be loaded, so that the run script can skip the PyTorch part.
 */
public final class TorchInfo {
    private TorchInfo() {
    }

    /** @param args none */
    public static void main(String[] args) {
        Engine e;
        try {
            e = Torch.engine();
        } catch (IllegalStateException ex) {
            System.err.println(ex.getMessage());
            System.exit(3);
            return;
        }
        System.out.println("pytorch=" + e.getVersion());
        System.out.println("djl=" + Engine.getDjlVersion());
        System.out.println("intra_op_threads=" + JniUtils.getNumThreads());
        System.out.println("inter_op_threads=" + JniUtils.getNumInteropThreads());
        System.out.println("features=" + String.join(" ", new TreeSet<>(JniUtils.getFeatures())));
    }
}
