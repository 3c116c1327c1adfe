package org.ebm4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bit-exactness against Pillow 9.4. Reference values were produced once with
 * {@code Image.resize(size, Image.BICUBIC)} on the same {@link TestPatterns} images by
 * src/test/resources/image/make_resize_vectors.py (which mirrors the pattern formulas); hashes are
 * SHA-256 over the raw output bytes. The small explicit vectors show the values directly.
 */
class ResizeTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void smallGreyDownscaleMatchesPil() {
        byte[] in = bytes(0, 255, 255, 0, 130, 0, 0, 0, 255, 167, 0, 0, 0, 0, 201, 255, 0, 255, 0, 201);
        assertThat(Resize.bicubicPilUint8(in, 1, 5, 4, 3, 2))
                .isEqualTo(bytes(47, 116, 138, 64, 59, 131));
    }

    @Test
    void smallGreyUpscaleMatchesPil() {
        byte[] in = bytes(0, 255, 255, 0, 0, 0);
        assertThat(Resize.bicubicPilUint8(in, 1, 3, 2, 5, 4))
                .isEqualTo(
                        bytes(0, 97, 255, 255, 255, 0, 71, 202, 202, 202, 0, 18, 53, 53, 53, 0, 0, 0, 0, 0));
    }

    @Test
    void smallRgbMixedScaleMatchesPil() {
        // 4x3 -> 7x2: up horizontally, down vertically; overshoot is clipped to 0 and 255.
        byte[] in =
                bytes(0, 255, 255, 255, 255, 255, 255, 0, 255, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0,
                        255, 0, 255, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 0, 255);
        assertThat(Resize.bicubicPilUint8(in, 3, 4, 3, 7, 2))
                .isEqualTo(
                        bytes(0, 255, 156, 50, 255, 156, 158, 255, 156, 166, 123, 161, 163, 3, 162, 119, 109,
                                113, 99, 166, 89, 0, 255, 156, 0, 205, 156, 0, 97, 156, 0, 45, 63, 0, 0, 0, 66, 0,
                                176, 99, 0, 255));
    }

    /**
     * Columns: channels, source w x h, target w x h, then SHA-256 of (1) Pillow's uint8 resize of
     * patternU8, (2) the PatchGenCN pipeline (np2img -> PIL bicubic -> img2arr) on patternF as CHW
     * float32 LE, (3) Pillow mode "F" resize of each channel of patternF as CHW float32 LE.
     */
    @ParameterizedTest(name = "{0}ch {1}x{2} -> {3}x{4}")
    @CsvSource({
        "3,37,23,50,31,590cb9aabb3e143c504246c14af5b171c3456f872c2950736dbaf348df2572ac,c76a795f9d7a97be37b9cff5abdc91f3f32a243ddefafa0c6d1f80e5e9e7a902,b6e1a0b34fc52a1364bea404638ae8cf4f085c32951cef296d72905a78078be4",
        "3,50,31,33,25,ef37ebb11ad70c20d4bb0e9cd8b96260c593d616ae9b5d13f01018abae759f03,e61ed1280da00a48df105a7ebc60c1aaad217886e31fbc85fbe6a104f37b24bc,a5ffb3008c98d58f19b5eb3fae63e83c709dee1b1308038a599863a6ee64a5af",
        "3,248,186,186,139,f27b138adca74fabaabdcb97a764d79abf42482c796405bf8918fd158c8f75d2,e02198fda7ec2027985f8437f962d90934b419774c0f21c2ef8d9d78e77c88aa,7c06408d219151cdba6b20f94c8d2d8aceea361517999d2877108fd87a8d7013",
        "1,37,23,50,31,4abbac4e00f2455594091444cf179f148b90138d7995fc375152d20fd725b4d6,ad46cc7752f915e1bf49d6c6ea60836d61fb7122567f3e2f1f812cc867cb6eaf,d0dfb984ea1b1aaebc5b0cc8fe28eb875d59308a17e9afd0d008abf8a3cfdd7b",
        "3,7,5,11,9,a3fd747e63cd957a550b9bc904114c261ddaa3301f62e1d6153dd70da3696b45,a03714cf1293c2a6a4919e1970aad1f130d931264c9edcbc69a0d8b4f5bfa0d7,dbfa61c459641b9c616d914cd06b12c2767686417bdf8a152a0706aded9523ec",
        "3,11,9,7,5,ad516cf5c696ac5875402b075b12bba0d0bf29bf920ca73b8acd2020424d0be4,10ce4f7b5da7afb4299c4bd037163e426809129de7c63a6c2bdac71ddb726587,45f489606c59363417e6b649b5e74dee1a46ce65d27b020a2d6d7141e46e7847",
        "3,40,30,40,17,77ee05358fe899d395a7989e1dea8a8fdb062c5472617350e4c72e9873430445,5aebb9ef09d65e589850cdcae07a6e227cc035a589aa37c510b418a6cd21ad7d,d5ccd134b4c44d5d85a1f2b4b5c876cbba21f7a9f443adbb3c8d3c40a0b60038",
        "3,40,30,13,30,5ae6440712e34c3f76a89204ee846ea9c72d54244457428074d7be6f99a572a0,48ae0074deeb5d2fada2b2914eba7cc409637ca00b3e3e6e7a0e8234d0959c1d,07aa368e3a5d08310a79c5b64ff9dd50c0c80ddc5790a8a531c13be1840d63f9",
        "1,5,4,1,1,a9253dc8529dd214e5f22397888e78d3390daa47593e26f68c18f97fd7a3876b,1a3f8b2c3bfcabd821ea8fae5e84bbbacab3aee9b50618f1eaa43a804b504405,5caf1da73b63a0280b36712aeaef7fd9372c14009509e7fee5a1b2845ddca8d1",
        "3,3,2,200,1,e16e03cb97204b0f94225adc712774d8ab8ecb2df381f1d02be3749812b6725a,de92a91a404377a3627e1aa054915f32457449db7dab05ac1b441bc1812e9bcb,03fb2a6ad9a3cb2057fb5c53372b5e1caa646e04d908ea820e86fb25f6927b34",
    })
    void matchesPillowBitExactly(
            int c, int w, int h, int nw, int nh, String u8Sha, String pipelineSha, String floatSha) {
        byte[] u8 = Resize.bicubicPilUint8(TestPatterns.patternU8(c, h, w), c, w, h, nw, nh);
        assertThat(u8).hasSize(c * nw * nh);
        assertThat(TestPatterns.sha256(u8)).as("uint8 Pillow resize").isEqualTo(u8Sha);

        FloatImage f = TestPatterns.patternF(c, h, w);
        FloatImage pipe = Resize.bicubicPil(f, nw, nh);
        assertThat(pipe.channels()).isEqualTo(c);
        assertThat(pipe.width()).isEqualTo(nw);
        assertThat(pipe.height()).isEqualTo(nh);
        assertThat(TestPatterns.sha256(TestPatterns.floatBytes(pipe)))
                .as("PatchGenCN uint8 pipeline")
                .isEqualTo(pipelineSha);
        assertThat(Resize.resize(f, nw, nh, true)).isEqualTo(pipe);

        FloatImage flt = Resize.bicubicFloat(f, nw, nh);
        assertThat(TestPatterns.sha256(TestPatterns.floatBytes(flt)))
                .as("float (Pillow mode F) resize")
                .isEqualTo(floatSha);
        assertThat(Resize.resize(f, nw, nh, false)).isEqualTo(flt);
    }

    @Test
    void sameSizeIsACopy() {
        FloatImage f = TestPatterns.patternF(3, 9, 8);
        FloatImage out = Resize.bicubicFloat(f, 8, 9);
        assertThat(out).isEqualTo(f).isNotSameAs(f);
        assertThat(out.data()).isNotSameAs(f.data());
        assertThat(Resize.bicubicPil(f, 8, 9)).isEqualTo(f.quantize8());
    }

    @Test
    void floatPathKeepsConstantsAndDoesNotQuantise() {
        FloatImage f = new FloatImage(1, 3, 4, new float[12]);
        Arrays.fill(f.data(), 0.123f);
        FloatImage up = Resize.bicubicFloat(f, 9, 7);
        for (float v : up.data()) {
            assertThat(v).isCloseTo(0.123f, Offset.offset(1e-6f));
        }
        FloatImage q = Resize.bicubicPil(f, 9, 7);
        for (float v : q.data()) {
            assertThat(v).isEqualTo(FloatImage.fromUint8(143)); // (1.123 * 127.5) = 143.18 -> 143
        }
    }

    @Test
    void rejectsBadSizes() {
        FloatImage f = FloatImage.zeros(1, 2, 2);
        assertThatThrownBy(() -> Resize.bicubicPil(f, 0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Resize.bicubicFloat(f, 3, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Resize.bicubicPilUint8(new byte[3], 1, 2, 2, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
