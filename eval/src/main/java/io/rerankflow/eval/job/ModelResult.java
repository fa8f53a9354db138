package io.rerankflow.eval.job;

import io.rerankflow.eval.Evaluation;

/**
 * One compared model's outcome: its evaluation (the queries it ranked), its report against the
 * first stage, and what scoring cost.
 *
 * @param name the model's name in the comparison
 * @param evaluation its reranked run against the qrels
 * @param report its comparison with the first stage and its failed requests
 * @param cost what it scored
 */
record ModelResult(String name, Evaluation evaluation, EvaluationReport report, ModelCost cost) {}
