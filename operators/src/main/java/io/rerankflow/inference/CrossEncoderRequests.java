package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-encoder scoring: one row per pair, the row's output is the passage's logit. A pair is
 * either the tokenizer's own pair ({@code [CLS] q [SEP] p [SEP]}, {@code <s> q </s></s> p </s>})
 * or, with a template, one text ({@code question:q \n \n passage:p}); both truncate by the same
 * rule.
 */
public final class CrossEncoderRequests implements RequestEncoder {
  private final TextTokenizer tokenizer;
  private final PromptTemplate template;

  /**
   * @param template the single-text pair template, or null for the tokenizer's pair template
   */
  public CrossEncoderRequests(TextTokenizer tokenizer, PromptTemplate template) {
    this.tokenizer = tokenizer;
    this.template = template;
  }

  @Override
  public EncodedRequest encode(RankingRequest request) throws RerankException {
    List<EncodedSequence> rows = new ArrayList<>(request.passages().size());
    int tokens = 0;
    for (String passage : request.passages()) {
      EncodedSequence row =
          template == null
              ? tokenizer.encodePair(request.query(), passage, request.truncate())
              : tokenizer.encodePrompt(template.fill(request.query(), passage), request.truncate());
      rows.add(row);
      tokens += row.length();
    }
    return new EncodedRequest(request, rows, tokens);
  }

  @Override
  public float[] logits(float[][] outputs) {
    float[] logits = new float[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      logits[i] = outputs[i][0];
    }
    return logits;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
