package org.ebm4j.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/** Bridges host images (FloatImage, CHW floats) and NCHW tensors. */
public final class ImageTensors {
    private ImageTensors() {}

    public static NDArray toTensor(NDManager m, List<FloatImage> images) {
        FloatImage first = images.get(0);
        int per = first.data().length;
        float[] all = new float[per * images.size()];
        for (int i = 0; i < images.size(); i++) {
            FloatImage im = images.get(i);
            if (im.width() != first.width() || im.height() != first.height() || im.channels() != first.channels()) {
                throw new IllegalArgumentException("images of a batch must share one size");
            }
            System.arraycopy(im.data(), 0, all, i * per, per);
        }
        // NDManager.create wraps a direct buffer that only the Java object keeps alive; a clone is
        // owned by libtorch, so views and autograd references can never outlive its memory
        try (NDArray wrapped = m.create(all, new Shape(images.size(), first.channels(), first.height(), first.width()))) {
            return wrapped.duplicate();
        }
    }

    public static NDArray toTensor(NDManager m, FloatImage image) {
        return toTensor(m, List.of(image));
    }

    public static List<FloatImage> fromTensor(NDArray x) {
        Shape s = x.getShape();
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] all = x.toFloatArray();
        int per = c * h * w;
        List<FloatImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] d = new float[per];
            System.arraycopy(all, i * per, d, 0, per);
            out.add(new FloatImage(c, h, w, d));
        }
        return out;
    }

    /** Resizes every image of a batch on the host (PIL-compatible bicubic, optional 8-bit rounding). */
    public static NDArray resize(NDArray x, int width, int height, boolean quantize8) {
        List<FloatImage> in = fromTensor(x);
        List<FloatImage> out = new ArrayList<>(in.size());
        for (FloatImage im : in) {
            out.add(Resize.resize(im, width, height, quantize8));
        }
        return toTensor(x.getManager(), out);
    }
}
