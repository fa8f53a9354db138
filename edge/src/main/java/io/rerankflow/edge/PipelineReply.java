package io.rerankflow.edge;

import io.rerankflow.schemas.RerankOutput;

/**
 * The job's answer to one published request.
 *
 * @param output the ranking or error record
 * @param pipelineMillis from the request record's timestamp to the result record's: the time the
 *     request spent in Kafka and the job, without the HTTP side, reply delivery or a transaction's
 *     commit wait
 * @param stages where the request's time went, stage by stage
 */
record PipelineReply(RerankOutput output, long pipelineMillis, StageTimes stages) {}
