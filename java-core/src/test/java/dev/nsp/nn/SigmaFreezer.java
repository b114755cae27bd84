package dev.nsp.nn;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernels wrapper for gradient checks of {@link SigmaGrad#NONE}: in {@link Mode#RECORD} it remembers the
 * sigma every moment kernel produces, in {@link Mode#REPLAY} it overwrites each moment kernel's sigma with the
 * recorded one (in call order), so that finite differences see sigma as a constant.
 */
final class SigmaFreezer implements InvocationHandler {
    enum Mode { PASS, RECORD, REPLAY }

    private final Kernels delegate;
    private final List<float[]> recorded = new ArrayList<>();
    private Mode mode = Mode.PASS;
    private int call;

    private SigmaFreezer(Kernels delegate) {
        this.delegate = delegate;
    }

    static SigmaFreezer wrapping(Kernels delegate) {
        return new SigmaFreezer(delegate);
    }

    Kernels kernels() {
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class}, this);
    }

    /** Sets the mode and restarts the call count (call before every forward pass). */
    void mode(Mode m) {
        if (m == Mode.RECORD) {
            recorded.clear();
        }
        mode = m;
        call = 0;
    }

    int recordedCount() {
        return recorded.size();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Object r;
        try {
            r = method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        String n = method.getName();
        if (n.equals("momentConv2dForward") || n.equals("momentPool2x2Forward") || n.equals("momentDenseForward")) {
            Tensor sigma = (Tensor) args[3];
            switch (mode) {
                case RECORD -> recorded.add(sigma.toArray());
                case REPLAY -> sigma.copyFrom(recorded.get(call++));
                case PASS -> { }
            }
        }
        return r;
    }
}
