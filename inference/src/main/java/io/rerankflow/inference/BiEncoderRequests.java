package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import java.util.ArrayList;
import java.util.List;

/**
 * Bi-encoder scoring: row 0 is the (prefixed) query, rows 1..n the passages; each passage's logit
 * is the cosine of its embedding with the query's (embeddings arrive L2-normalised).
 *
 * <p>A pair's token count is the query's plus the passage's, so {@code prompt_tokens} sums that
 * over the pairs, as for a cross-encoder. Each sequence on its own must fit the model's limit.
 */
public final class BiEncoderRequests implements RequestEncoder {
  private final TextTokenizer tokenizer;
  private final String queryPrefix;
  private final String passagePrefix;

  public BiEncoderRequests(TextTokenizer tokenizer, String queryPrefix, String passagePrefix) {
    this.tokenizer = tokenizer;
    this.queryPrefix = queryPrefix;
    this.passagePrefix = passagePrefix;
  }

  @Override
  public EncodedRequest encode(RankingRequest request) throws RerankException {
    List<EncodedSequence> rows = new ArrayList<>(request.passages().size() + 1);
    EncodedSequence query =
        tokenizer.encodeSingle(queryPrefix + request.query(), request.truncate());
    rows.add(query);
    int tokens = 0;
    for (String passage : request.passages()) {
      EncodedSequence row = tokenizer.encodeSingle(passagePrefix + passage, request.truncate());
      rows.add(row);
      tokens += query.length() + row.length();
    }
    return new EncodedRequest(request, rows, tokens);
  }

  @Override
  public float[] logits(float[][] outputs) {
    float[] query = outputs[0];
    float[] logits = new float[outputs.length - 1];
    for (int p = 1; p < outputs.length; p++) {
      float dot = 0f;
      for (int k = 0; k < query.length; k++) {
        dot += query[k] * outputs[p][k];
      }
      logits[p - 1] = dot;
    }
    return logits;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
