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
 *
 * <p>Tokenizer pairs encode each text once: the query once per request, each passage once while it
 * stays in the {@link PassageCache}, and the row is spliced from the two. A template's prompt is
 * encoded whole: its fixed text can merge with the passage's first characters into one token
 * (byte-level BPE splits {@code ":two"} as one word), so no splice is exact for every template.
 */
public final class CrossEncoderRequests implements RequestEncoder {
  private final TextTokenizer tokenizer;
  private final PromptTemplate template;
  private final PassageCache passages;

  /**
   * @param template the single-text pair template, or null for the tokenizer's pair template
   */
  public CrossEncoderRequests(TextTokenizer tokenizer, PromptTemplate template) {
    this(tokenizer, template, PassageCache.DEFAULT_BYTES);
  }

  /**
   * @param template the single-text pair template, or null for the tokenizer's pair template
   * @param cacheBytes bound of the passage cache
   */
  CrossEncoderRequests(TextTokenizer tokenizer, PromptTemplate template, long cacheBytes) {
    this.tokenizer = tokenizer;
    this.template = template;
    this.passages = splices() ? new PassageCache(cacheBytes) : null;
  }

  /** Whether pairs are spliced from separately encoded texts (and passages cached). */
  public boolean splices() {
    return template == null && tokenizer.splicesPairs();
  }

  @Override
  public EncodedRequest encode(RankingRequest request) throws RerankException {
    return encode(request, EngineListener.NONE);
  }

  @Override
  public EncodedRequest encode(RankingRequest request, EngineListener listener)
      throws RerankException {
    List<EncodedSequence> rows = new ArrayList<>(request.passages().size());
    int tokens = 0;
    if (passages != null) {
      int[] query = tokenizer.tokenIds(request.query());
      // One text at a time: DJL's batch call runs Hugging Face's own thread pool, which spun
      // beside the encoding threads for less per core (scripts/bench feed, distinct passages).
      PassageCache.Lookup lookup = passages.lookup(request.passages(), tokenizer::tokenIds);
      listener.passagesLookedUp(lookup.hits(), lookup.misses());
      for (int[] passage : lookup.ids()) {
        EncodedSequence row = tokenizer.splicePair(query, passage, request.truncate());
        rows.add(row);
        tokens += row.length();
      }
      return new EncodedRequest(request, rows, tokens);
    }
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
