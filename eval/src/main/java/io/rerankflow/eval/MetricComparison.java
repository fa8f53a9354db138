package io.rerankflow.eval;

/**
 * One metric of a first-stage versus reranked comparison: both means, their difference (reranked −
 * first stage) and the two-sided paired p-value of that difference.
 */
public record MetricComparison(
    Metric metric, double firstStage, double reranked, double delta, double pValue) {}
