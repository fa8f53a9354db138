package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import java.util.List;

/**
 * A validated request turned into model input rows.
 *
 * @param request the request
 * @param sequences the rows to run through the model, in the order its {@link RequestEncoder}
 *     expects them back
 * @param promptTokens the NIM's {@code usage.prompt_tokens}: tokens of the scored pairs after
 *     truncation
 */
public record EncodedRequest(
    RankingRequest request, List<EncodedSequence> sequences, int promptTokens) {}
