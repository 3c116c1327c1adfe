package org.ebm4j.method.patchgen;

import org.ebm4j.core.EbmException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The named presets. */
class PatchGenConfigTest {
    @Test
    void longIsFastWith500IterationsPerScale() {
        PatchGenConfig l = PatchGenConfig.preset("long");
        assertThat(l.preset()).isEqualTo("long");
        // what `--preset fast --iters 500` gives (the runs of the docs' "longer" table rows), bar the name
        assertThat(l).isEqualTo(PatchGenConfig.fast().withIterations(500).withPreset("long"));
        assertThat(l.iterations()).isEqualTo(500);
        assertThat(l.noiseDecayIters()).isEqualTo(125);
        assertThat(l.lrDecayIters()).isEqualTo(400);
        assertThat(l.numScales()).isEqualTo(5);
        assertThat(l.maxSize()).isEqualTo(56);
        assertThat(l.steps()).isEqualTo(20);
        l.validate();
    }

    @Test
    void unknownPresetNamesTheValidOnes() {
        assertThatThrownBy(() -> PatchGenConfig.preset("slow")).isInstanceOf(EbmException.class)
                .hasMessageContaining("fast, long, paper");
    }
}
