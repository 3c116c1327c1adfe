package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ebm4j.core.EbmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreFilesTest {
    @TempDir
    Path tmp;

    private Path file(String name, String text) throws Exception {
        return Files.writeString(tmp.resolve(name), text);
    }

    @Test
    void plainLinesAndCsv() throws Exception {
        assertThat(ScoreFiles.read(file("a.txt", "0.9\n0.8\n\n0.4\n"), null)).containsExactly(0.9, 0.8, 0.4);
        assertThat(ScoreFiles.read(file("b.csv", "id,score\n1,-3.2\n2,-1e0\n"), null)).containsExactly(-3.2, -1.0);
        assertThat(ScoreFiles.read(file("c.csv", "id,energy,neg\n1,5,-5\n2,6,-6\n"), "neg")).containsExactly(-5.0, -6.0);
        assertThat(ScoreFiles.read(file("d.csv", "logit\n1\n2\n"), null)).containsExactly(1.0, 2.0);
        // A1 end to end
        double[] in = ScoreFiles.read(file("in.txt", "0.9\n0.8\n0.4\n"), null);
        double[] out = ScoreFiles.read(file("out.txt", "0.7\n0.3\n0.2\n0.1\n"), null);
        assertThat(Auroc.of(in, out)).isEqualTo(0.9166666666666666);
    }

    @Test
    void writeIndexedNamesEachScoreByItsRowAndReadsBack() throws Exception {
        Path f = tmp.resolve("new/sub/scores.csv"); // parent folders are created
        ScoreFiles.writeIndexed(f, new double[] {-1.5, 2.25, 0.0});
        assertThat(Files.readString(f)).isEqualTo("name,score\n000000,-1.5\n000001,2.25\n000002,0.0\n");
        assertThat(ScoreFiles.read(f, null)).containsExactly(-1.5, 2.25, 0.0);
        assertThatThrownBy(() -> ScoreFiles.writeIndexed(tmp.resolve("nan.csv"), new double[] {1, Double.NaN}))
                .isInstanceOf(EbmException.class).hasMessageContaining("000001");
        assertThat(tmp.resolve("nan.csv")).doesNotExist();
    }

    @Test
    void badFilesNameTheProblem() throws Exception {
        assertThatThrownBy(() -> ScoreFiles.read(file("e.txt", "\n\n"), null)).isInstanceOf(EbmException.class).hasMessageContaining("is empty");
        assertThatThrownBy(() -> ScoreFiles.read(file("f.txt", "0.1\nabc\n"), null)).hasMessageContaining("line 2: 'abc' is not a number");
        assertThatThrownBy(() -> ScoreFiles.read(file("g.txt", "0.1\nNaN\n"), null)).hasMessageContaining("line 2: score is NaN");
        assertThatThrownBy(() -> ScoreFiles.read(file("h.txt", "0.1\n-inf\n"), null)).hasMessageContaining("line 2: score is -inf");
        assertThatThrownBy(() -> ScoreFiles.read(file("i.csv", "a,b\n1,2\n"), null)).hasMessageContaining("no column 'score'");
        assertThatThrownBy(() -> ScoreFiles.read(file("j.csv", "score\n"), null)).hasMessageContaining("holds no scores");
        assertThatThrownBy(() -> ScoreFiles.read(file("k.csv", "id,score\n1\n"), null)).hasMessageContaining("line 2: has 1 fields");
        assertThatThrownBy(() -> ScoreFiles.read(tmp.resolve("nope.txt"), null)).hasMessageContaining("not found");
    }
}
