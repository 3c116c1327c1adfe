package org.ebm4j.method.multigrid;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ebm4j.core.EbmException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Presets and validation of {@link MultigridConfig}. */
class MultigridConfigTest {

    /** A config's JSON form (config.json's "config" object) without its preset name. */
    private static ObjectNode withoutPreset(MultigridConfig c) {
        ObjectNode t = MultigridConfig.TYPE.toTree(c);
        t.remove("preset");
        return t;
    }

    @Test
    void fastNoNoiseIsTodaysFastUnderItsOwnName() {
        MultigridConfig named = MultigridConfig.preset("fast-nonoise");
        assertThat(named.preset()).isEqualTo("fast-nonoise");
        assertThat(MultigridConfig.preset("fast").preset()).isEqualTo("fast");
        // what the name promises: no δ·U term of Eq. 8, no BatchNorm
        assertThat(named.noise()).isFalse();
        assertThat(named.batchNorm()).isFalse();
        // every other field equal to fast's (the trees hold every field, so a new field is covered too)
        assertThat(withoutPreset(named)).isEqualTo(withoutPreset(MultigridConfig.fast()));
        assertThat(withoutPreset(named).size()).isEqualTo(MultigridConfig.TYPE.toTree(named).size() - 1);
        assertThat(named).isNotEqualTo(MultigridConfig.fast()); // the name is part of the config
    }

    @Test
    void longEq8IsFastEq8OnMoreImagesForLongerWithADecayingRate() {
        MultigridConfig l = MultigridConfig.preset("long-eq8");
        assertThat(l.preset()).isEqualTo("long-eq8");
        assertThat(l.trainLimit()).isEqualTo(10000);
        assertThat(l.epochs()).isEqualTo(18);
        assertThat(l.lr()).isEqualTo(0.001);
        assertThat(l.lrEnd()).isEqualTo(1e-4);
        assertThat(l.lrSchedule()).isEqualTo(MultigridConfig.Schedule.LOGSPACE);
        // everything else is fast-eq8's
        MultigridConfig back = l.toBuilder().preset("fast-eq8").trainLimit(3000).epochs(4)
                .lrSchedule(MultigridConfig.Schedule.CONSTANT).lrEnd(0.001).build();
        assertThat(back).isEqualTo(MultigridConfig.fastEq8());
    }

    @Test
    void fastEq8IsFastNoNoiseWithEq8sNoiseAndItsSweptDelta() {
        MultigridConfig eq8 = MultigridConfig.preset("fast-eq8");
        assertThat(eq8).isEqualTo(MultigridConfig.fastEq8());
        assertThat(eq8.preset()).isEqualTo("fast-eq8");
        // the values the sweep in docs/MULTIGRID.md chose: Eq. 8 with its δ·U term, δ = 0.02, σ = 1
        assertThat(eq8.noise()).isTrue();
        assertThat(eq8.delta()).isEqualTo(0.02);
        assertThat(eq8.referenceSigma()).isEqualTo(1.0);
        assertThat(eq8.lr()).isEqualTo(0.001);
        assertThat(eq8.widthMult()).isEqualTo(0.25);
        assertThat(eq8.batchNorm()).isFalse();
        assertThat(eq8.pixelRange()).isEqualTo(MultigridConfig.PixelRange.UNIT);
        assertThat(eq8.clip()).isTrue();
        assertThat(eq8.steps()).isEqualTo(30);
        assertThat(eq8.grids()).containsExactly(1, 2, 8, 32);
        assertThat(eq8.trainLimit()).isEqualTo(3000);
        assertThat(eq8.epochs()).isEqualTo(4);
        assertThat(eq8.batchSize()).isEqualTo(100);
        // every other field equal to fast-nonoise's: the trees differ in exactly preset, noise and delta
        ObjectNode a = withoutPreset(eq8);
        ObjectNode b = withoutPreset(MultigridConfig.fastNoNoise());
        for (String k : new String[] {"noise", "delta"}) {
            assertThat(a.get(k)).as(k).isNotEqualTo(b.get(k));
            a.remove(k);
            b.remove(k);
        }
        assertThat(a).isEqualTo(b);
        // it survives config.json
        assertThat(MultigridConfig.TYPE.read(MultigridConfig.TYPE.toTree(eq8))).isEqualTo(eq8);
    }

    @Test
    void anUnknownPresetListsEveryKnownOne() {
        assertThat(MultigridConfig.PRESETS).containsExactly("fast", "fast-nonoise", "fast-eq8", "long-eq8", "paper", "code");
        for (String p : MultigridConfig.PRESETS) {
            assertThat(MultigridConfig.preset(p).preset()).isEqualTo(p);
        }
        assertThatThrownBy(() -> MultigridConfig.preset("fast-noise")).isInstanceOf(EbmException.class)
                .hasMessage("unknown preset 'fast-noise'; use one of: fast, fast-nonoise, fast-eq8, long-eq8, paper, code");
    }

    @Test
    void valHoldoutIsZeroInEveryPresetAndNeverNegative() throws Exception {
        for (String p : MultigridConfig.PRESETS) {
            assertThat(MultigridConfig.preset(p).valHoldout()).as(p).isZero();
        }
        assertThat(MultigridConfig.fast().toBuilder().valHoldout(1000).build().valHoldout()).isEqualTo(1000);
        assertThatThrownBy(() -> MultigridConfig.fast().toBuilder().valHoldout(-1).build()).isInstanceOf(EbmException.class)
                .hasMessageContaining("valHoldout must be >= 0");
        // config.json written before the field existed: read as 0, training on the whole split as then
        ObjectNode old = MultigridConfig.TYPE.toTree(MultigridConfig.fast().toBuilder().valHoldout(7).build());
        old.remove("valHoldout");
        assertThat(MultigridConfig.TYPE.read(old).valHoldout()).isZero();
        // reachable by --set / --config under its JSON name
        assertThat(org.ebm4j.config.ConfigOverrides.apply(MultigridConfig.TYPE, MultigridConfig.fast(), null,
                java.util.List.of("valHoldout=250")).valHoldout()).isEqualTo(250);
    }

    /** Persistent CD: per-image chains (the paper) in every preset; a config.json of before the setting means batch. */
    @Test
    void pcdChainsArePerImageExceptInConfigsWrittenBeforeTheSetting() {
        for (String p : MultigridConfig.PRESETS) {
            assertThat(MultigridConfig.preset(p).pcdChains()).isEqualTo(MultigridConfig.PcdChains.PER_IMAGE);
        }
        ObjectNode t = MultigridConfig.TYPE.toTree(MultigridConfig.fast().toBuilder().method("pcd").build());
        assertThat(t.get("pcdChains").asText()).isEqualTo("per-image");
        t.remove("pcdChains");
        assertThat(MultigridConfig.fromJson(t).pcdChains()).isEqualTo(MultigridConfig.PcdChains.BATCH);
        assertThat(MultigridConfig.fast().toBuilder().pcdChains("batch").build().pcdChains())
                .isEqualTo(MultigridConfig.PcdChains.BATCH);
        assertThatThrownBy(() -> MultigridConfig.fast().toBuilder().pcdChains("all"))
                .hasMessageContaining("per-image").hasMessageContaining("batch");
    }
}
