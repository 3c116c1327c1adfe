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
    void anUnknownPresetListsEveryKnownOne() {
        assertThat(MultigridConfig.PRESETS).containsExactly("fast", "fast-nonoise", "paper", "code");
        for (String p : MultigridConfig.PRESETS) {
            assertThat(MultigridConfig.preset(p).preset()).isEqualTo(p);
        }
        assertThatThrownBy(() -> MultigridConfig.preset("fast-noise")).isInstanceOf(EbmException.class)
                .hasMessage("unknown preset 'fast-noise'; use one of: fast, fast-nonoise, paper, code");
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
}
