package org.ebm4j.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.TensorFile;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Checkpoint comparisons for tests: every tensor bit for bit, the metadata except its provenance (write time). */
public final class CheckpointAssert {
    private CheckpointAssert() {}

    public static void sameContent(Path actual, Path expected) throws Exception {
        TensorFile.LoadedHost a = TensorFile.loadHost(actual);
        TensorFile.LoadedHost e = TensorFile.loadHost(expected);
        assertThat(a.tensors().keySet()).as("tensor names of %s", actual).containsExactlyElementsOf(e.tensors().keySet());
        for (String k : e.tensors().keySet()) {
            assertThat(a.tensors().get(k).shape()).as("%s: shape of %s", actual, k).isEqualTo(e.tensors().get(k).shape());
            assertThat(a.tensors().get(k).bytes()).as("%s: bytes of %s", actual, k).isEqualTo(e.tensors().get(k).bytes());
        }
        ObjectNode ma = (ObjectNode) AtomicFiles.MAPPER.readTree(a.metadataJson());
        ObjectNode me = (ObjectNode) AtomicFiles.MAPPER.readTree(e.metadataJson());
        ma.remove("provenance");
        me.remove("provenance");
        assertThat(ma).as("metadata of %s", actual).isEqualTo(me);
    }
}
