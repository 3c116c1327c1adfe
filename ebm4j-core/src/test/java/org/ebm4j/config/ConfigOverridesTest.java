package org.ebm4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.EbmException;
import org.ebm4j.method.multigrid.MultigridConfig;
import org.ebm4j.method.multigrid.MultigridRun;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenRun;
import org.ebm4j.core.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --set / --config on the config records: every field type, bad keys, bad values, old files. */
class ConfigOverridesTest {
    @TempDir
    Path tmp;

    private static PatchGenConfig pg(String... sets) {
        return ConfigOverrides.apply(PatchGenConfig.TYPE, PatchGenConfig.fast(), null, List.of(sets));
    }

    private static MultigridConfig mg(String... sets) {
        return ConfigOverrides.apply(MultigridConfig.TYPE, MultigridConfig.fast(), null, List.of(sets));
    }

    private static Path resource(String name) throws Exception {
        return Path.of(ConfigOverridesTest.class.getResource("/config/" + name).toURI());
    }

    @Test
    void setReachesEveryFieldType() {
        PatchGenConfig c = pg("iterations=77", "seed=12345678901", "stepSize=0.02", "quantize8=false",
                "preset=mine", "earlyStop=warn", "noiseType=gauss", "cadence.logEvery=3", "cadence.checkpointEvery=0");
        assertThat(c.iterations()).isEqualTo(77); // int
        assertThat(c.seed()).isEqualTo(12345678901L); // long beyond int
        assertThat(c.stepSize()).isEqualTo(0.02); // double
        assertThat(c.quantize8()).isFalse(); // boolean
        assertThat(c.preset()).isEqualTo("mine"); // string
        assertThat(c.earlyStop()).isEqualTo(PatchGenConfig.EarlyStop.WARN); // enum
        assertThat(c.noiseType()).isEqualTo(PatchGenConfig.NoiseType.GAUSS);
        assertThat(c.logEvery()).isEqualTo(3); // nested, through the delegating accessor
        assertThat(c.checkpointEvery()).isZero();
        assertThat(pg("cadence={\"imageEvery\": 11}").cadence()) // a group merges into the preset's
                .isEqualTo(new Cadence(PatchGenConfig.fast().logEvery(), 11, PatchGenConfig.fast().checkpointEvery()));
        // untouched settings keep the preset's values, and --iters-style rescaling is not implied
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.noiseDecayIters()).isEqualTo(PatchGenConfig.fast().noiseDecayIters());
        assertThat(c.imageEvery()).isEqualTo(PatchGenConfig.fast().imageEvery());

        MultigridConfig m = mg("imageSize=64", "grids=[1,4,16,64]", "method=single-grid", "lrSchedule=logspace",
                "widthMult=1e-1", "sampleEvery=9");
        assertThat(m.grids()).containsExactly(1, 4, 16, 64); // int[]
        assertThat(m.method()).isEqualTo(MultigridConfig.Method.SINGLE_GRID);
        assertThat(m.lrSchedule()).isEqualTo(MultigridConfig.Schedule.LOGSPACE);
        assertThat(m.widthMult()).isEqualTo(0.1);
        assertThat(m.sampleEvery()).isEqualTo(9); // the 0.1.0 flat name still works
        assertThat(mg("grids=1,2,32").grids()).containsExactly(1, 2, 32); // the --grids form
    }

    @Test
    void unknownKeyIsRefusedByNameWithTheKnownOnes() {
        assertThatThrownBy(() -> pg("foo=1")).isInstanceOf(EbmException.class)
                .hasMessageStartingWith("unknown setting 'foo' for patchgen; known: preset, numScales,")
                .hasMessageContaining("cadence.logEvery");
        assertThatThrownBy(() -> pg("cadence.foo=1")).hasMessageStartingWith("unknown setting 'cadence.foo' for patchgen");
        assertThatThrownBy(() -> mg("sampleevery=1")).hasMessageStartingWith("unknown setting 'sampleevery' for multigrid");
        assertThatThrownBy(() -> pg("iterations")).hasMessage("--set expects key=value, got 'iterations'");
    }

    @Test
    void illTypedValuesAreRefusedByName() {
        assertThatThrownBy(() -> pg("iterations=abc")).hasMessage("setting 'iterations' expects an integer, got 'abc'");
        assertThatThrownBy(() -> pg("iterations=1.5")).hasMessage("setting 'iterations' expects an integer, got 1.5");
        assertThatThrownBy(() -> pg("iterations=3000000000")).hasMessage("setting 'iterations' expects an integer, got 3000000000");
        assertThatThrownBy(() -> pg("stepSize=fast")).hasMessage("setting 'stepSize' expects a number, got 'fast'");
        assertThatThrownBy(() -> pg("quantize8=1")).hasMessage("setting 'quantize8' expects true or false, got 1");
        assertThatThrownBy(() -> pg("cadence=5")).hasMessageStartingWith("setting 'cadence' expects an object with logEvery");
        assertThatThrownBy(() -> mg("grids=[1,x]")).hasMessageStartingWith("setting 'grids' expects a list of integers");
    }

    @Test
    void badEnumNamesTheChoices() {
        assertThatThrownBy(() -> pg("earlyStop=x")).hasMessage("unknown early-stop 'x'; use one of: restart, warn, stop");
        assertThatThrownBy(() -> PatchGenConfig.EarlyStop.of("Restart"))
                .hasMessage("unknown early-stop 'Restart'; use one of: restart, warn, stop");
        assertThatThrownBy(() -> mg("method=cd2")).hasMessage("unknown method 'cd2'; use one of: mcd, cd1, pcd, single-grid");
        assertThatThrownBy(() -> mg("pixelRange=float")).hasMessage("unknown pixel range 'float'; use one of: unit, uint8");
    }

    @Test
    void compactConstructorRejectsAnInvalidValue() {
        assertThatThrownBy(() -> pg("initFactor=1.5"))
                .hasMessage("invalid PatchGenCN setting: initFactor must be in (0, 1), got 1.5");
        assertThatThrownBy(() -> pg("cadence.logEvery=0")).hasMessage("invalid cadence: logEvery must be >= 1, got 0");
        assertThatThrownBy(() -> mg("checkpointEvery=0"))
                .hasMessage("invalid multigrid setting: cadence.checkpointEvery must be >= 1, got 0");
        assertThatThrownBy(() -> PatchGenConfig.fast().withScales(3, 30, 20))
                .hasMessage("invalid PatchGenCN setting: maxSize (20) must be >= minSize (30)");
    }

    @Test
    void configFileThenSetsInOrder() throws Exception {
        Path f = tmp.resolve("my.json");
        Files.writeString(f, "{\"iterations\": 40, \"stepSize\": 0.5, \"cadence\": {\"logEvery\": 7}}");
        PatchGenConfig c = ConfigOverrides.apply(PatchGenConfig.TYPE, PatchGenConfig.fast(), f,
                List.of("stepSize=0.25", "stepSize=0.125"));
        assertThat(c.iterations()).isEqualTo(40); // from the file
        assertThat(c.stepSize()).isEqualTo(0.125); // --set after the file, the last one wins
        assertThat(c.logEvery()).isEqualTo(7); // partial nested object merged
        assertThat(c.imageEvery()).isEqualTo(PatchGenConfig.fast().imageEvery()); // its siblings kept
        Files.writeString(f, "{\"iterations\": 40, \"stepz\": 1}");
        assertThatThrownBy(() -> ConfigOverrides.apply(PatchGenConfig.TYPE, PatchGenConfig.fast(), f, List.of()))
                .hasMessageStartingWith("unknown setting 'stepz' for patchgen");
        Files.writeString(f, "[1]");
        assertThatThrownBy(() -> ConfigOverrides.apply(PatchGenConfig.TYPE, PatchGenConfig.fast(), f, List.of()))
                .hasMessageContaining("must hold a JSON object of patchgen settings");
    }

    @Test
    void printedJsonReadsBackToAnEqualConfig() throws Exception {
        PatchGenConfig p = pg("noiseType=gauss", "seed=9");
        assertThat(PatchGenConfig.TYPE.read(AtomicFiles.MAPPER.readTree(PatchGenConfig.TYPE.toJson(p)))).isEqualTo(p);
        MultigridConfig m = mg("method=pcd", "init=normal");
        MultigridConfig back = MultigridConfig.TYPE.read(AtomicFiles.MAPPER.readTree(MultigridConfig.TYPE.toJson(m)));
        assertThat(back).isEqualTo(m).isNotSameAs(m);
        assertThat(back.hashCode()).isEqualTo(m.hashCode());
        assertThat(back).isNotEqualTo(mg("method=pcd", "init=normal", "grids=[1,4,32]"));
        JsonNode tree = AtomicFiles.MAPPER.readTree(MultigridConfig.TYPE.toJson(m));
        assertThat(tree.get("method").asText()).isEqualTo("pcd"); // choices stay lowercase strings
        assertThat(tree.get("cadence").get("imageEvery").asInt()).isEqualTo(m.sampleEvery());
        assertThat(tree.has("sampleEvery")).isFalse();
    }

    @Test
    void configJsonOfEbm4j010StillLoads() throws Exception {
        PatchGenRun.Info pi = AtomicFiles.readJson(resource("patchgen-config-v0.1.0.json"), PatchGenRun.Info.class);
        PatchGenConfig p = pi.config();
        assertThat(p.noiseType()).isEqualTo(PatchGenConfig.NoiseType.GAUSS);
        assertThat(p.earlyStop()).isEqualTo(PatchGenConfig.EarlyStop.WARN);
        assertThat(p.cadence()).isEqualTo(new Cadence(3, 40, 0));
        assertThat(p.stepSize()).isEqualTo(0.02);
        assertThat(p.seed()).isEqualTo(7);
        assertThat(pi.pyramid()).containsExactly("25x37", "56x84");

        MultigridRun.Info mi = AtomicFiles.readJson(resource("multigrid-config-v0.1.0.json"), MultigridRun.Info.class);
        MultigridConfig m = mi.config();
        assertThat(m.method()).isEqualTo(MultigridConfig.Method.PCD);
        assertThat(m.nets()).isEqualTo(MultigridConfig.Nets.CODE);
        assertThat(m.init()).isEqualTo(MultigridConfig.Init.NORMAL);
        assertThat(m.pixelRange()).isEqualTo(MultigridConfig.PixelRange.UINT8);
        assertThat(m.lrSchedule()).isEqualTo(MultigridConfig.Schedule.LOGSPACE);
        assertThat(m.cadence()).isEqualTo(new Cadence(2, 7, 11));
        assertThat(m.grids()).containsExactly(1, 2, 8, 32);
        // a run's whole config.json is accepted as --config
        MultigridConfig viaFile = ConfigOverrides.apply(MultigridConfig.TYPE, MultigridConfig.paper(),
                resource("multigrid-config-v0.1.0.json"), List.of());
        assertThat(viaFile).isEqualTo(m);
        // and rewritten in today's form, it reads back equal
        Path again = tmp.resolve("config.json");
        AtomicFiles.writeJson(again, mi);
        assertThat(AtomicFiles.readJson(again, MultigridRun.Info.class).config()).isEqualTo(m);
        assertThat(Files.readString(again)).contains("\"cadence\"").doesNotContain("sampleEvery");
    }
}
