package io.rerankflow.jobs.files;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;

/**
 * A bounded source that tells Flink it is processing backlog until every reader has been told there
 * are no more splits (it has read its whole input).
 *
 * <p>Checkpoints then run at {@code execution.checkpointing.interval-during-backlog} (the long
 * {@code --checkpoint-interval}) while the input is read, and at the short regular interval for the
 * tail. A bounded streaming job commits its last files with a checkpoint taken after its tasks
 * finished; without this the job would idle up to one whole long interval waiting for it.
 */
public final class BacklogReportingSource<T, SplitT extends SourceSplit, EnumChkT>
    implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {
  private static final long serialVersionUID = 1L;

  private final Source<T, SplitT, EnumChkT> delegate;

  public <S extends Source<T, SplitT, EnumChkT> & ResultTypeQueryable<T>> BacklogReportingSource(
      S delegate) {
    this.delegate = delegate;
  }

  @Override
  public Boundedness getBoundedness() {
    return delegate.getBoundedness();
  }

  @Override
  public SourceReader<T, SplitT> createReader(SourceReaderContext readerContext) throws Exception {
    return delegate.createReader(readerContext);
  }

  @Override
  public SplitEnumerator<SplitT, EnumChkT> createEnumerator(SplitEnumeratorContext<SplitT> context)
      throws Exception {
    return delegate.createEnumerator(new BacklogContext<>(context));
  }

  @Override
  public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
      SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
    return delegate.restoreEnumerator(new BacklogContext<>(context), checkpoint);
  }

  @Override
  public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
    return delegate.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
    return delegate.getEnumeratorCheckpointSerializer();
  }

  @Override
  @SuppressWarnings("unchecked")
  public TypeInformation<T> getProducedType() {
    return ((ResultTypeQueryable<T>) delegate).getProducedType();
  }

  /** The enumerator's context, watching for the readers that have no more splits. */
  private static final class BacklogContext<SplitT extends SourceSplit>
      implements SplitEnumeratorContext<SplitT> {
    private final SplitEnumeratorContext<SplitT> context;
    private final Set<Integer> drained = new HashSet<>();

    BacklogContext(SplitEnumeratorContext<SplitT> context) {
      this.context = context;
      context.setIsProcessingBacklog(true);
    }

    @Override
    public void signalNoMoreSplits(int subtask) {
      context.signalNoMoreSplits(subtask);
      drained.add(subtask);
      if (drained.size() >= context.currentParallelism()) {
        context.setIsProcessingBacklog(false);
      }
    }

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
      return context.metricGroup();
    }

    @Override
    public void sendEventToSourceReader(int subtask, SourceEvent event) {
      context.sendEventToSourceReader(subtask, event);
    }

    @Override
    public void sendEventToSourceReader(int subtask, int attempt, SourceEvent event) {
      context.sendEventToSourceReader(subtask, attempt, event);
    }

    @Override
    public int currentParallelism() {
      return context.currentParallelism();
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
      return context.registeredReaders();
    }

    @Override
    public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
      return context.registeredReadersOfAttempts();
    }

    @Override
    public void assignSplits(SplitsAssignment<SplitT> assignment) {
      context.assignSplits(assignment);
    }

    @Override
    public <V> void callAsync(Callable<V> callable, BiConsumer<V, Throwable> handler) {
      context.callAsync(callable, handler);
    }

    @Override
    public <V> void callAsync(
        Callable<V> callable, BiConsumer<V, Throwable> handler, long initialDelay, long period) {
      context.callAsync(callable, handler, initialDelay, period);
    }

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
      context.runInCoordinatorThread(runnable);
    }

    @Override
    public void setIsProcessingBacklog(boolean isProcessingBacklog) {
      context.setIsProcessingBacklog(isProcessingBacklog);
    }
  }
}
