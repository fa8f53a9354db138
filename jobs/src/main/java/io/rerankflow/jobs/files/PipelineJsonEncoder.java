package io.rerankflow.jobs.files;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.Encoder;

/** Writes each output as one JSON line. */
public final class PipelineJsonEncoder implements Encoder<RerankOutput> {
  private static final long serialVersionUID = 1L;

  @Override
  public void encode(RerankOutput out, OutputStream stream) throws IOException {
    stream.write(OutputJson.toPipelineJson(out).getBytes(StandardCharsets.UTF_8));
    stream.write('\n');
  }
}
