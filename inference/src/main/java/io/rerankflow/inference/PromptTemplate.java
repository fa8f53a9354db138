package io.rerankflow.inference;

import java.io.Serializable;

/**
 * A single-text pair template such as {@code question:{query} \n \n passage:{passage}}: the query
 * and the passage are put into fixed text, and the result is tokenised as one sequence.
 *
 * <p>The placeholders are split out once, so a query or passage containing {@code {passage}} is
 * never substituted a second time.
 *
 * @param source the template as configured
 * @param queryFirst whether {@code {query}} comes before {@code {passage}}
 * @param head text before the first placeholder
 * @param middle text between the placeholders
 * @param tail text after the second placeholder
 */
public record PromptTemplate(
    String source, boolean queryFirst, String head, String middle, String tail)
    implements Serializable {

  /** NVIDIA's template for llama-nemotron-rerank-1b-v2 (and its 500m sibling). */
  public static final String NVIDIA_RERANK = "question:{query} \n \n passage:{passage}";

  private static final String QUERY = "{query}";
  private static final String PASSAGE = "{passage}";

  /** Parses a template that holds {@code {query}} and {@code {passage}} exactly once each. */
  public static PromptTemplate parse(String source) {
    int query = source.indexOf(QUERY);
    int passage = source.indexOf(PASSAGE);
    if (query < 0
        || passage < 0
        || source.indexOf(QUERY, query + 1) >= 0
        || source.indexOf(PASSAGE, passage + 1) >= 0) {
      throw new IllegalArgumentException(
          "template: must contain {query} and {passage} exactly once each, e.g. \""
              + NVIDIA_RERANK.replace("\n", "\\n")
              + "\", was \""
              + source.replace("\n", "\\n")
              + "\"");
    }
    boolean queryFirst = query < passage;
    int first = Math.min(query, passage);
    int second = Math.max(query, passage);
    int firstLength = queryFirst ? QUERY.length() : PASSAGE.length();
    int secondLength = queryFirst ? PASSAGE.length() : QUERY.length();
    return new PromptTemplate(
        source,
        queryFirst,
        source.substring(0, first),
        source.substring(first + firstLength, second),
        source.substring(second + secondLength));
  }

  /** The prompt for one pair, with where its passage lies (so truncation can cut just that). */
  public Prompt fill(String query, String passage) {
    StringBuilder text = new StringBuilder(head);
    int passageStart;
    if (queryFirst) {
      text.append(query).append(middle);
      passageStart = text.length();
      text.append(passage);
    } else {
      passageStart = text.length();
      text.append(passage).append(middle).append(query);
    }
    text.append(tail);
    return new Prompt(text.toString(), passageStart, passageStart + passage.length());
  }

  /**
   * One filled template.
   *
   * @param text the whole prompt
   * @param passageStart UTF-16 index where the passage begins in {@code text}
   * @param passageEnd UTF-16 index just past the passage
   */
  public record Prompt(String text, int passageStart, int passageEnd) {}
}
