package org.ebm4j.train;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.ebm4j.core.Compute;
import org.ebm4j.core.Version;

import java.time.Instant;

/**
 * Where a checkpoint came from: the library and engine versions that wrote it and when. Stored in
 * every checkpoint's metadata, so a result can be traced to the code that produced it (in the
 * spirit of Tribuo's model provenance).
 *
 * @param ebm4j    ebm4j version ({@link Version#VERSION})
 * @param djl      DJL version
 * @param engine   engine name and version, e.g. "PyTorch 2.7.1"
 * @param threads  libtorch intra-op threads (results depend on it)
 * @param written  ISO-8601 instant of the write
 * @param compute  "bf16" when the convolutions ran in bfloat16 ({@link Compute}); absent (null) for
 *                 the fp32 default, so fp32 checkpoints keep the metadata of earlier versions
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Provenance(String ebm4j, String djl, String engine, int threads, String written, String compute) {

    /** The provenance of a checkpoint written now by this process. */
    public static Provenance now() {
        String djl = "unknown";
        String engine = "unknown";
        int threads = -1;
        try {
            Engine e = Engine.getInstance();
            djl = Engine.getDjlVersion();
            engine = e.getEngineName() + " " + e.getVersion();
            threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        } catch (RuntimeException | LinkageError ignored) {
            // provenance is informative only; never fail a checkpoint write for it
        }
        String compute = Compute.current() == Compute.FP32 ? null : Compute.current().label();
        return new Provenance(Version.VERSION, djl, engine, threads, Instant.now().toString(), compute);
    }
}
