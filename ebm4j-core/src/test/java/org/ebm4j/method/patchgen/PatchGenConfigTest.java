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
    void scaleIterationsOverrideIterationsAndCompressTheSchedules() {
        PatchGenConfig.Builder b = PatchGenConfig.paper().toBuilder();
        b.scaleIterations = new int[] {2000, 400};
        PatchGenConfig c = b.build();
        // scale 0: 2000 of the reference 4000 → noise decay 1000 → 500, lr decay 3200 → 1600
        assertThat(c.iterationsAt(0)).isEqualTo(2000);
        assertThat(c.noiseDecayItersAt(0)).isEqualTo(500);
        assertThat(c.lrDecayItersAt(0)).isEqualTo(1600);
        // past the array's end the last value repeats
        assertThat(c.iterationsAt(1)).isEqualTo(400);
        assertThat(c.iterationsAt(7)).isEqualTo(400);
        assertThat(c.noiseDecayItersAt(7)).isEqualTo(100);
        assertThat(c.lrDecayItersAt(7)).isEqualTo(320);
        assertThat(c.iterationsFrom(0)).isEqualTo(2000 + 7 * 400);
        assertThat(c.iterationsFrom(6)).isEqualTo(800);
        // the record owns its array and compares by value
        b.scaleIterations[0] = 1;
        assertThat(c.iterationsAt(0)).isEqualTo(2000);
        PatchGenConfig.Builder b2 = PatchGenConfig.paper().toBuilder();
        b2.scaleIterations = new int[] {2000, 400};
        assertThat(b2.build()).isEqualTo(c).hasSameHashCodeAs(c);
        // --iters clears them: every scale gets the given number
        assertThat(c.withIterations(30).iterationsAt(0)).isEqualTo(30);
        assertThat(c.withIterations(30).scaleIterations()).isEmpty();
        // the official default: none, so the decays are the configured ones at every scale
        PatchGenConfig p = PatchGenConfig.paper();
        assertThat(p.iterationsAt(5)).isEqualTo(4000);
        assertThat(p.noiseDecayItersAt(5)).isEqualTo(1000);
        assertThat(p.lrDecayItersAt(0)).isEqualTo(3200);
        b.scaleIterations = new int[] {100, 0};
        assertThatThrownBy(b::build).isInstanceOf(EbmException.class)
                .hasMessageContaining("every scaleIterations value must be >= 1, got [100, 0]");
    }

    @Test
    void aConfigJsonWithoutScaleIterationsLoadsAsTheOfficialBehaviour() {
        com.fasterxml.jackson.databind.node.ObjectNode tree = PatchGenConfig.TYPE.toTree(PatchGenConfig.fast());
        tree.remove("scaleIterations");
        PatchGenConfig c = PatchGenConfig.TYPE.read(tree);
        assertThat(c).isEqualTo(PatchGenConfig.fast());
        assertThat(c.iterationsAt(3)).isEqualTo(150);
    }

    @Test
    void qualityIsThePaperWithItsBudgetMovedToTheCoarsestScale() {
        PatchGenConfig q = PatchGenConfig.preset("quality");
        assertThat(q.preset()).isEqualTo("quality");
        assertThat(q.numScales()).isEqualTo(5);
        assertThat(q.minSize()).isEqualTo(25);
        assertThat(q.maxSize()).isEqualTo(128);
        assertThat(q.scaleIterations()).containsExactly(1600, 500, 300, 150, 150);
        assertThat(q.stepsAt(0)).isEqualTo(60);
        assertThat(q.stepsAt(1)).isEqualTo(15);
        assertThat(q.stepsRec()).isEqualTo(15);
        assertThat(q.netSize()).isEqualTo(PatchGenConfig.NetSize.AUTO); // net (b) from 64 px, as the official code
        // each scale starts from the coarser scale's net (the official code: fresh, as the paper preset)
        assertThat(q.scaleInit()).isEqualTo(PatchGenConfig.ScaleInit.COARSER);
        assertThat(PatchGenConfig.paper().scaleInit()).isEqualTo(PatchGenConfig.ScaleInit.FRESH);
        assertThat(PatchGenConfig.fast().scaleInit()).isEqualTo(PatchGenConfig.ScaleInit.FRESH);
        // the paper's schedules (1000 / 3200 of 4000) compressed to each scale's length
        assertThat(q.noiseDecayItersAt(0)).isEqualTo(400);
        assertThat(q.lrDecayItersAt(0)).isEqualTo(1280);
        assertThat(q.lrDecayItersAt(4)).isEqualTo(120);
        assertThat(q.iterationsFrom(0)).isEqualTo(2700);
        // everything else is the paper preset's
        PatchGenConfig.Builder b = q.toBuilder();
        PatchGenConfig.Builder p = PatchGenConfig.paper().toBuilder();
        b.preset = p.preset;
        b.numScales = p.numScales;
        b.maxSize = p.maxSize;
        b.scaleIterations = p.scaleIterations;
        b.steps = p.steps;
        b.stepsRec = p.stepsRec;
        b.scaleInit = p.scaleInit;
        b.logEvery = p.logEvery;
        b.imageEvery = p.imageEvery;
        b.checkpointEvery = p.checkpointEvery;
        assertThat(b.build()).isEqualTo(PatchGenConfig.paper());
    }

    @Test
    void netSizeChoosesTheNetOfEveryScale() {
        PatchGenConfig.Builder b = PatchGenConfig.paper().toBuilder();
        int[] a = {64, 32, 32, 32};
        int[] bb = {128, 64, 64, 64};
        // the official rule: (a) below 64 px, (b) from 64 px
        assertThat(b.build().netWidths(63, 40)).containsExactly(a);
        assertThat(b.build().netWidths(64, 40)).containsExactly(bb);
        b.netSize = PatchGenConfig.NetSize.SMALL;
        assertThat(b.build().netWidths(250, 188)).containsExactly(a);
        b.netSize = PatchGenConfig.NetSize.MEDIUM;
        assertThat(b.build().netWidths(20, 20)).containsExactly(bb);
        // an old config.json has no netSize: the official rule
        var tree = PatchGenConfig.TYPE.toTree(PatchGenConfig.paper());
        tree.remove("netSize");
        assertThat(PatchGenConfig.TYPE.read(tree).netSize()).isEqualTo(PatchGenConfig.NetSize.AUTO);
        assertThatThrownBy(() -> PatchGenConfig.NetSize.of("large")).isInstanceOf(EbmException.class)
                .hasMessageContaining("auto, small, medium");
    }

    @Test
    void unknownPresetNamesTheValidOnes() {
        assertThatThrownBy(() -> PatchGenConfig.preset("slow")).isInstanceOf(EbmException.class)
                .hasMessageContaining("fast, long, quality, paper");
    }
}
