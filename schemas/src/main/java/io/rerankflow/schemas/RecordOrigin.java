package io.rerankflow.schemas;

import java.io.Serializable;

/**
 * Where a raw request came from: the id to use when the request carries none, and a description for
 * error messages (e.g. {@code line 12 of requests.jsonl}).
 */
public record RecordOrigin(String fallbackId, String description) implements Serializable {}
