package org.ebm4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FloatImageTest {

    @Test
    void constructorValidatesShape() {
        assertThatThrownBy(() -> new FloatImage(2, 1, 1, new float[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels");
        assertThatThrownBy(() -> new FloatImage(1, 0, 3, new float[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FloatImage(3, 2, 2, new float[11]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("11");
        assertThatThrownBy(() -> FloatImage.zeros(3, 1 << 16, 1 << 16))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chwIndexingAndCopy() {
        FloatImage im = FloatImage.zeros(3, 2, 4);
        im.set(2, 1, 3, 0.5f);
        assertThat(im.data()[(2 * 2 + 1) * 4 + 3]).isEqualTo(0.5f);
        assertThat(im.get(2, 1, 3)).isEqualTo(0.5f);
        FloatImage cp = im.copy();
        cp.set(0, 0, 0, 1f);
        assertThat(im.get(0, 0, 0)).isZero();
        assertThat(cp).isNotEqualTo(im);
        assertThat(im.copy()).isEqualTo(im).hasSameHashCodeAs(im);
        assertThatThrownBy(() -> im.get(3, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void uint8ConversionUsesReferenceFormulas() {
        // fromUint8: (u - 127.5) / 127.5 in float32.
        assertThat(FloatImage.fromUint8(0)).isEqualTo(-1f);
        assertThat(FloatImage.fromUint8(255)).isEqualTo(1f);
        assertThat(FloatImage.fromUint8(128)).isEqualTo(0.5f / 127.5f);
        // toUint8: (x + 1) * 127.5, clip, truncate (no rounding).
        assertThat(FloatImage.toUint8(-1f)).isZero();
        assertThat(FloatImage.toUint8(1f)).isEqualTo(255);
        assertThat(FloatImage.toUint8(0f)).isEqualTo(127); // 127.5 truncates
        assertThat(FloatImage.toUint8(-3f)).isZero();
        assertThat(FloatImage.toUint8(7f)).isEqualTo(255);
        assertThat(FloatImage.toUint8(Float.NaN)).isZero();
    }

    @Test
    void uint8RoundTripMatchesNumpyFloat32Truncation() {
        // Pinned reference behaviour (numpy float32 gives the same): truncation after float rounding
        // loses one level for u in 1..95 and is exact elsewhere.
        for (int u = 0; u < 256; u++) {
            int back = FloatImage.toUint8(FloatImage.fromUint8(u));
            assertThat(back).as("u=%d", u).isEqualTo(u >= 1 && u <= 95 ? u - 1 : u);
        }
    }

    @Test
    void hwcByteRoundTripAndRgbExpansion() {
        byte[] hwc = new byte[2 * 3 * 3];
        for (int i = 0; i < hwc.length; i++) {
            hwc[i] = (byte) (100 + 8 * i); // all >= 96, so exact round trip
        }
        FloatImage im = FloatImage.fromUint8(hwc, 3, 2, 3);
        assertThat(im.get(1, 0, 0)).isEqualTo(FloatImage.fromUint8(108)); // HWC -> CHW
        assertThat(im.get(0, 1, 2)).isEqualTo(FloatImage.fromUint8(100 + 8 * 15));
        assertThat(im.toUint8()).isEqualTo(hwc);
        assertThat(im.toUint8Rgb()).isEqualTo(hwc);

        int[] grey = {0, 255, 200, 128};
        FloatImage g = FloatImage.fromUint8(grey, 1, 2, 2);
        assertThat(g.toUint8Rgb())
                .containsExactly(0, 0, 0, -1, -1, -1, (byte) 200, (byte) 200, (byte) 200, (byte) 128,
                        (byte) 128, (byte) 128);
        assertThatThrownBy(() -> FloatImage.fromUint8(new int[] {256}, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FloatImage.fromUint8(new byte[5], 3, 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quantize8RoundTripsThroughUint8() {
        FloatImage im = new FloatImage(1, 1, 4, new float[] {-1f, 0.3f, 1.5f, 0.999f});
        FloatImage q = im.quantize8();
        assertThat(q.data())
                .containsExactly(
                        FloatImage.fromUint8(0),
                        FloatImage.fromUint8(165), // 1.3 * 127.5 = 165.75 -> 165
                        FloatImage.fromUint8(255),
                        FloatImage.fromUint8(254)); // 254.87 -> 254
        assertThat(im.data()[1]).isEqualTo(0.3f); // source untouched
    }
}
