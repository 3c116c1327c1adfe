package org.ebm4j.method.patchgen;

import java.util.ArrayList;
import java.util.List;

/**
 * PatchGenCN's image pyramid (official train.py): the longest side is capped at maxSize, the
 * coarsest shortest side is minSize, the number of scales is fixed and the scale factor follows:
 * r = (max(w_min, h_min) / max(w_r, h_r))^(1/(S−1)); scale k has size round(w_r·r^(S−1−k)).
 * Python's round (half to even) is reproduced with Math.rint.
 *
 * @param width       the finest width (after the maxSize cap)
 * @param height      the finest height
 * @param scaleFactor r
 * @param widths      per scale, coarse to fine
 * @param heights     per scale, coarse to fine
 */
public record Pyramid(int width, int height, double scaleFactor, int[] widths, int[] heights) {

    public static Pyramid of(int imageWidth, int imageHeight, int numScales, int minSize, int maxSize) {
        if (numScales < 1) {
            throw new IllegalArgumentException("number of scales must be >= 1, got " + numScales);
        }
        int wr;
        int hr;
        long wMin;
        long hMin;
        if (imageWidth < imageHeight) {
            hr = Math.min(maxSize, imageHeight);
            wr = (int) Math.rint((double) imageWidth * hr / imageHeight);
            wMin = minSize;
            hMin = (long) Math.rint((double) imageHeight * minSize / imageWidth);
        } else {
            wr = Math.min(maxSize, imageWidth);
            hr = (int) Math.rint((double) imageHeight * wr / imageWidth);
            wMin = (long) Math.rint((double) imageWidth * minSize / imageHeight);
            hMin = minSize;
        }
        double r = numScales == 1 ? 1.0
                : Math.pow((double) Math.max(wMin, hMin) / Math.max(wr, hr), 1.0 / (numScales - 1));
        int[] ws = new int[numScales];
        int[] hs = new int[numScales];
        for (int i = 0; i < numScales; i++) {
            double s = Math.pow(r, numScales - i - 1);
            ws[i] = (int) Math.rint(wr * s);
            hs[i] = (int) Math.rint(hr * s);
        }
        return new Pyramid(wr, hr, r, ws, hs);
    }

    public int numScales() {
        return widths.length;
    }

    /** Sizes as "(w,h)" strings, coarse to fine. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < widths.length; i++) {
            out.add("(" + widths[i] + "," + heights[i] + ")");
        }
        return out;
    }
}
