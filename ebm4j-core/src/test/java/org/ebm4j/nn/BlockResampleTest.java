package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.Torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class BlockResampleTest {

    @Test
    void upIsThePseudoInverseAndTheAdjointOfDownTimesFSquared() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(1);
            for (int f : new int[] {2, 4}) {
                NDArray x = m.randomNormal(new Shape(3, 2, 4 * f, 2 * f)).toType(DataType.FLOAT64, false);
                NDArray y = m.randomNormal(new Shape(3, 2, 4, 2)).toType(DataType.FLOAT64, false);
                // down ∘ up = identity
                assertThat(BlockResample.down(BlockResample.up(y, f), f).sub(y).abs().max().getDouble()).isLessThan(1e-12);
                // <down x, y> · f² = <x, up y>: down = upᵀ / f²
                double lhs = BlockResample.down(x, f).mul(y).sum().getDouble() * f * f;
                double rhs = x.mul(BlockResample.up(y, f)).sum().getDouble();
                assertThat(lhs).isCloseTo(rhs, offset(1e-9));
                // up ∘ down is the orthogonal projection onto block-constant images: idempotent
                NDArray p = BlockResample.up(BlockResample.down(x, f), f);
                NDArray pp = BlockResample.up(BlockResample.down(p, f), f);
                assertThat(pp.sub(p).abs().max().getDouble()).isLessThan(1e-12);
            }
        }
    }

    @Test
    void blockAverageAndReplicateByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 5, 6, 3, 4, 7, 8, 0, 0, 1, 1, 0, 4, 1, 1}, new Shape(1, 1, 4, 4));
            assertThat(BlockResample.down(x, 2).toFloatArray()).containsExactly(2.5f, 6.5f, 1f, 1f);
            assertThat(BlockResample.down(x, 4).toFloatArray()).containsExactly(44f / 16);
            NDArray up = BlockResample.up(m.create(new float[] {1, 2}, new Shape(1, 1, 1, 2)), 2);
            assertThat(up.toFloatArray()).containsExactly(1, 1, 2, 2, 1, 1, 2, 2);
            NDArray mask = m.create(new float[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, new Shape(1, 1, 4, 4));
            assertThat(BlockResample.downMask(mask, 2).toFloatArray()).containsExactly(0f, 1f, 0f, 0f);
            assertThatThrownBy(() -> BlockResample.down(m.zeros(new Shape(1, 1, 6, 6)), 4))
                    .hasMessageContaining("multiples of the factor");
        }
    }
}
