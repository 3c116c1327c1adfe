package org.ebm4j.method.patchgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The worked examples of methods.md §2.5, computed with the official formula. */
class PyramidTest {

    @Test
    void balloons248x186() {
        Pyramid p = Pyramid.of(248, 186, 8, 25, 250);
        assertThat(p.scaleFactor()).isCloseTo(0.7497, within(1e-4));
        assertThat(p.describe()).containsExactly("(33,25)", "(44,33)", "(59,44)", "(78,59)", "(104,78)",
                "(139,105)", "(186,139)", "(248,186)");
    }

    @Test
    void landscape500x333IsCappedAt250() {
        Pyramid p = Pyramid.of(500, 333, 8, 25, 250);
        assertThat(p.scaleFactor()).isCloseTo(0.7640, within(1e-4));
        assertThat(p.describe()).containsExactly("(38,25)", "(50,33)", "(65,43)", "(85,57)", "(112,74)",
                "(146,97)", "(191,127)", "(250,166)");
    }

    @Test
    void square300() {
        Pyramid p = Pyramid.of(300, 300, 8, 25, 250);
        assertThat(p.scaleFactor()).isCloseTo(0.7197, within(1e-4));
        assertThat(p.widths()).containsExactly(25, 35, 48, 67, 93, 129, 180, 250);
        assertThat(p.heights()).containsExactly(25, 35, 48, 67, 93, 129, 180, 250);
    }

    @Test
    void portraitUsesTheHeightAsLongSide() {
        Pyramid p = Pyramid.of(186, 248, 8, 25, 250);
        assertThat(p.widths()).containsExactly(25, 33, 44, 59, 78, 105, 139, 186);
        assertThat(p.heights()).containsExactly(33, 44, 59, 78, 104, 139, 186, 248);
    }
}
