package io.rerankflow.sql;

import java.lang.reflect.Field;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.table.functions.FunctionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime context behind a table function's {@link FunctionContext}. Flink's {@code
 * FunctionContext} hands out the task's info and metrics but not the TaskManager's configuration
 * ({@code taskmanager.cpu.cores}, {@code taskmanager.numberOfTaskSlots}), which the slot's cores
 * are computed from, as the DataStream operator does; the runtime context it wraps has it.
 */
final class FunctionContexts {
  private static final Logger LOG = LoggerFactory.getLogger(FunctionContexts.class);

  private FunctionContexts() {}

  /**
   * The wrapped runtime context, or null when this Flink keeps it elsewhere (then the slot counts
   * as one slot with the JVM's cores).
   */
  static RuntimeContext runtimeContext(FunctionContext context) {
    try {
      Field field = FunctionContext.class.getDeclaredField("context");
      field.setAccessible(true);
      return (RuntimeContext) field.get(context);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "cannot read the TaskManager's configuration from the function context ({}); the slot"
              + " takes the JVM's cores",
          e.toString());
      return null;
    }
  }
}
