package io.rerankflow.eval.job;

import io.rerankflow.eval.Qrels;
import io.rerankflow.eval.TrecRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation reranks and against what: the request file, which document each request's
 * passages are, the first-stage run over exactly those candidates, and the judgments.
 *
 * @param requests JSONL of NIM requests, one per query
 * @param docIds request id (= query id) → doc id of each passage index
 * @param firstStage the first-stage ranking of the same candidates
 * @param qrels relevance judgments
 */
record EvaluationSet(
    Path requests, Map<String, List<String>> docIds, TrecRun firstStage, Qrels qrels) {}
