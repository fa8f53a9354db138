package io.rerankflow.sql;

import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.ModelLocator;
import io.rerankflow.schemas.Truncate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;

/**
 * The {@code 'provider' = 'rerankflow'} model of Flink SQL: checks the model's options and columns,
 * opens its model directory, and hands the planner a {@link RerankModelProvider}.
 */
public final class RerankModelProviderFactory implements ModelProviderFactory {
  public static final String IDENTIFIER = "rerankflow";

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of();
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of(
        RerankModelOptions.MODEL,
        RerankModelOptions.TRUNCATE,
        RerankModelOptions.DEVICE,
        RerankModelOptions.MAX_BATCH_TOKENS,
        RerankModelOptions.MAX_BATCH_SIZE,
        RerankModelOptions.TIMEOUT,
        RerankModelOptions.TOP_N);
  }

  @Override
  public ModelProvider createModelProvider(Context context) {
    FactoryUtil.ModelProviderFactoryHelper helper =
        FactoryUtil.createModelProviderFactoryHelper(this, context);
    helper.validate();
    return create(
        context.getObjectIdentifier().asSummaryString(),
        context.getCatalogModel(),
        helper.getOptions(),
        context.getConfiguration());
  }

  /**
   * Checks a model's columns and option values; the one place they are checked.
   *
   * @param session the session's configuration ({@code SET}), for Flink's async defaults
   */
  static RerankModelProvider create(
      String name, ResolvedCatalogModel model, ReadableConfig options, ReadableConfig session) {
    String where = "model " + name + ": ";
    try {
      ModelColumns columns =
          ModelColumns.of(model.getResolvedInputSchema(), model.getResolvedOutputSchema());
      String location = options.get(RerankModelOptions.MODEL);
      String servedName;
      try {
        servedName = ModelLocator.resolve(location).spec().name();
      } catch (RuntimeException e) {
        throw new ValidationException("'model' = '" + location + "': " + e.getMessage(), e);
      }
      Device device;
      try {
        device = Device.parse(options.get(RerankModelOptions.DEVICE));
      } catch (IllegalArgumentException e) {
        throw new ValidationException("'device': " + e.getMessage(), e);
      }
      BatchingSettings defaults = BatchingSettings.defaults(device);
      int maxBatchTokens =
          options
              .getOptional(RerankModelOptions.MAX_BATCH_TOKENS)
              .orElse(defaults.maxBatchTokens());
      int maxBatchSize =
          options.getOptional(RerankModelOptions.MAX_BATCH_SIZE).orElse(defaults.maxBatchSize());
      int topN = options.get(RerankModelOptions.TOP_N);
      require(maxBatchTokens >= 1, "'max-batch-tokens' must be at least 1");
      require(maxBatchSize >= 1, "'max-batch-size' must be at least 1");
      require(topN >= 0, "'top-n' must be 0 (every passage) or more");
      Duration timeout = options.getOptional(RerankModelOptions.TIMEOUT).orElse(null);
      require(
          timeout == null || (!timeout.isNegative() && !timeout.isZero()),
          "'timeout' must be positive, e.g. '10 min'");
      Truncate truncate = options.get(RerankModelOptions.TRUNCATE);
      EngineSettings settings =
          new EngineSettings(
              List.of(location), device, 0, new BatchingSettings(maxBatchTokens, maxBatchSize));
      return new RerankModelProvider(
          settings,
          new NimRows(columns, servedName, truncate, topN),
          topN > 0,
          timeout,
          FlinkAsyncSettings.of(session));
    } catch (ValidationException e) {
      throw new ValidationException(
          where + e.getMessage(), e.getCause() == null ? e : e.getCause());
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new ValidationException(message);
    }
  }
}
