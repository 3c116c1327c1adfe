package org.ebm4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GridTest {

    /** A w x h image filled with {@code v} in every channel. */
    private static FloatImage filled(int c, int h, int w, float v) {
        FloatImage im = FloatImage.zeros(c, h, w);
        java.util.Arrays.fill(im.data(), v);
        return im;
    }

    @Test
    void defaultColumnsAreCeilSqrtAndCellsArePlacedRowMajor() {
        List<FloatImage> ims = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ims.add(filled(3, 2, 3, i / 10f));
        }
        FloatImage g = Grid.tile(ims, 0, 1, -1f);
        // ceil(sqrt(5)) = 3 columns, 2 rows; 1 px padding around every tile.
        assertThat(g.width()).isEqualTo(3 * (3 + 1) + 1);
        assertThat(g.height()).isEqualTo(2 * (2 + 1) + 1);
        assertThat(g.channels()).isEqualTo(3);
        for (int c = 0; c < 3; c++) {
            assertThat(g.get(c, 0, 0)).isEqualTo(-1f); // border
            assertThat(g.get(c, 1, 1)).isEqualTo(0f); // tile 0 top-left
            assertThat(g.get(c, 2, 3)).isEqualTo(0f); // tile 0 bottom-right
            assertThat(g.get(c, 1, 4)).isEqualTo(-1f); // gap between tiles 0 and 1
            assertThat(g.get(c, 1, 5)).isEqualTo(0.1f); // tile 1
            assertThat(g.get(c, 2, 11)).isEqualTo(0.2f); // tile 2, last column
            assertThat(g.get(c, 4, 1)).isEqualTo(0.3f); // tile 3, second row
            assertThat(g.get(c, 5, 7)).isEqualTo(0.4f); // tile 4
            assertThat(g.get(c, 4, 9)).isEqualTo(-1f); // empty sixth cell
            assertThat(g.get(c, 6, 12)).isEqualTo(-1f); // bottom-right border
        }
    }

    @Test
    void referenceTakesTheFirstCellAndTilesMayDifferInSize() {
        FloatImage ref = filled(3, 2, 2, 0.9f); // 2x2 training image
        List<FloatImage> tiles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tiles.add(filled(3, 3, 4, i / 10f)); // 4x3 wide samples
        }
        FloatImage g = Grid.withReference(ref, tiles, 2, 1, -1f);
        // reference column 1 + 2 wide, then a 2-column tile grid 2·(4+1)+1 wide; 2 rows of 3 px tiles
        assertThat(g.width()).isEqualTo(1 + 2 + 2 * (4 + 1) + 1);
        assertThat(g.height()).isEqualTo(2 * (3 + 1) + 1);
        for (int c = 0; c < 3; c++) {
            assertThat(g.get(c, 0, 0)).isEqualTo(-1f);
            assertThat(g.get(c, 1, 1)).isEqualTo(0.9f); // reference top-left
            assertThat(g.get(c, 2, 2)).isEqualTo(0.9f); // reference bottom-right
            assertThat(g.get(c, 3, 1)).isEqualTo(-1f); // blank under the reference
            assertThat(g.get(c, 1, 3)).isEqualTo(-1f); // gap between reference and tiles
            assertThat(g.get(c, 1, 4)).isEqualTo(0f); // tile 0
            assertThat(g.get(c, 3, 7)).isEqualTo(0f); // tile 0 bottom-right
            assertThat(g.get(c, 1, 9)).isEqualTo(0.1f); // tile 1
            assertThat(g.get(c, 5, 4)).isEqualTo(0.2f); // tile 2, second row
            assertThat(g.get(c, 5, 9)).isEqualTo(-1f); // empty cell
        }
        // a reference taller than the tile grid makes the image taller
        FloatImage tall = Grid.withReference(filled(3, 12, 2, 0.5f), tiles.subList(0, 1), 0, 1, -1f);
        assertThat(tall.height()).isEqualTo(12 + 2);
        assertThat(tall.get(0, 12, 1)).isEqualTo(0.5f);
        assertThatThrownBy(() -> Grid.withReference(filled(1, 2, 2, 0f), tiles, 2, 1, 0f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channels");
    }

    @Test
    void explicitColumnsAndNoPaddingKeepPixelsExact() {
        FloatImage a = TestPatterns.patternF(1, 3, 4);
        FloatImage b = TestPatterns.patternF(1, 3, 4).copy();
        b.set(0, 2, 3, 0.75f);
        FloatImage g = Grid.tile(List.of(a, b), 1, 0, 0f); // one column: stacked vertically
        assertThat(g.width()).isEqualTo(4);
        assertThat(g.height()).isEqualTo(6);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(g.get(0, y, x)).isEqualTo(a.get(0, y, x));
                assertThat(g.get(0, y + 3, x)).isEqualTo(b.get(0, y, x));
            }
        }
        // More columns than images: capped at n, so no empty column.
        assertThat(Grid.tile(List.of(a, b), 10, 0, 0f).width()).isEqualTo(8);
        // Defaults: ceil(sqrt(1)) = 1 column with the default padding.
        assertThat(Grid.tile(List.of(a)).width()).isEqualTo(4 + 2 * Grid.DEFAULT_PADDING);
    }

    @Test
    void rejectsMismatchedOrEmptyInput() {
        assertThatThrownBy(() -> Grid.tile(List.of(), 2, 1, 0f))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> Grid.tile(List.of(FloatImage.zeros(3, 2, 2), FloatImage.zeros(3, 2, 3)), 2, 1, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("images[1]");
        assertThatThrownBy(
                        () -> Grid.tile(List.of(FloatImage.zeros(3, 2, 2), FloatImage.zeros(1, 2, 2)), 2, 1, 0f))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Grid.tile(List.of(FloatImage.zeros(1, 2, 2)), 1, -1, 0f))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
