package io.rerankflow.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.inference.BatchingSettings;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.config.MLPredictRuntimeConfigOptions;
import org.apache.flink.table.catalog.CatalogModel;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rerankflow model's options as the SQL door resolves them into the function each {@code
 * ML_PREDICT} opens: the batch defaults of its device, and the one warning when Flink's rows in
 * flight cannot fill one batch, read from the log the function writes.
 */
class RerankModelProviderFactoryTest {
  private static final String SETTING = "table.exec.async-ml-predict.max-concurrent-operations";
  private static final String LOGGER = RerankPredictFunction.class.getName();

  @TempDir Path dir;

  private final StringWriter log = new StringWriter();
  private LoggerContext logging;
  private WriterAppender appender;

  @BeforeEach
  void captureTheFunctionsLog() {
    logging = (LoggerContext) LogManager.getContext(false);
    appender =
        WriterAppender.newBuilder()
            .setName("provider-test-" + System.identityHashCode(this))
            .setTarget(log)
            .setLayout(PatternLayout.newBuilder().withPattern("%p %m%n").build())
            .build();
    appender.start();
    LoggerConfig function = new LoggerConfig(LOGGER, Level.ALL, false);
    function.addAppender(appender, Level.ALL, null);
    logging.getConfiguration().addLogger(LOGGER, function);
    logging.updateLoggers();
  }

  @AfterEach
  void stopCapturing() {
    logging.getConfiguration().removeLogger(LOGGER);
    logging.updateLoggers();
    appender.stop();
  }

  @Test
  void withDeviceCudaTheGpuBatchDefaultsApplyAndFlinksTenRowsInFlightDrawOneWarningNamingIt() {
    RerankPredictFunction function = function(Map.of("device", "cuda"), new Configuration());

    function.warnIfRowsInFlightCannotFillABatch();

    assertThat(warnings())
        .singleElement()
        .satisfies(
            line -> {
              assertThat(line).contains("only 10 rows per slot");
              assertThat(line)
                  .contains("the " + BatchingSettings.GPU_DEFAULTS.maxBatchSize() + " rows");
              assertThat(line).contains(SETTING).contains("'max-concurrent-operations'");
            });
  }

  @Test
  void onTheCpuTheDefaultBatchFitsInFlinksDefaultRowsInFlightAndNothingIsWarned() {
    assertThat(BatchingSettings.DEFAULTS.maxBatchSize()).isLessThanOrEqualTo(10);
    RerankPredictFunction function = function(Map.of("device", "cpu"), new Configuration());

    function.warnIfRowsInFlightCannotFillABatch();

    assertThat(warnings()).isEmpty();
  }

  @Test
  void anExplicitBatchSizeWinsOverTheGpuDefault() {
    RerankPredictFunction function =
        function(Map.of("device", "cuda", "max-batch-size", "32"), new Configuration());

    function.warnIfRowsInFlightCannotFillABatch();

    assertThat(warnings()).singleElement().asString().contains("the 32 rows");
  }

  @Test
  void aCallsConfigMapThatFillsABatchSilencesTheWarning() {
    Configuration call = new Configuration();
    call.set(MLPredictRuntimeConfigOptions.ASYNC_MAX_CONCURRENT_OPERATIONS, 256);
    RerankPredictFunction function = function(Map.of("device", "cuda"), call);

    function.warnIfRowsInFlightCannotFillABatch();

    assertThat(warnings()).isEmpty();
  }

  @Test
  void aSessionSettingThatFillsABatchSilencesTheWarning() {
    Configuration session = new Configuration();
    session.setString(SETTING, "256");
    RerankModelProvider provider =
        RerankModelProviderFactory.create(
            "m", model(), Configuration.fromMap(options(Map.of("device", "cuda"))), session);
    RerankPredictFunction function =
        (RerankPredictFunction) provider.createAsyncPredictFunction(context(new Configuration()));

    function.warnIfRowsInFlightCannotFillABatch();

    assertThat(warnings()).isEmpty();
  }

  private RerankPredictFunction function(Map<String, String> given, ReadableConfig call) {
    RerankModelProvider provider =
        RerankModelProviderFactory.create(
            "m", model(), Configuration.fromMap(options(given)), new Configuration());
    return (RerankPredictFunction) provider.createAsyncPredictFunction(context(call));
  }

  private Map<String, String> options(Map<String, String> given) {
    Map<String, String> options = new HashMap<>(given);
    options.put("model", SqlFixtures.tinyModel(dir.resolve("tiny")).toString());
    return options;
  }

  private List<String> warnings() {
    return log.toString().lines().filter(line -> line.startsWith("WARN ")).toList();
  }

  private static ResolvedCatalogModel model() {
    ResolvedSchema input =
        ResolvedSchema.of(
            Column.physical("query", DataTypes.STRING()),
            Column.physical("passages", DataTypes.ARRAY(DataTypes.STRING())));
    ResolvedSchema output =
        ResolvedSchema.of(
            Column.physical(
                "rankings",
                DataTypes.ARRAY(
                    DataTypes.ROW(
                        DataTypes.FIELD("index", DataTypes.INT()),
                        DataTypes.FIELD("logit", DataTypes.FLOAT())))));
    CatalogModel declared =
        CatalogModel.of(
            Schema.newBuilder().fromResolvedSchema(input).build(),
            Schema.newBuilder().fromResolvedSchema(output).build(),
            Map.of(),
            null);
    return ResolvedCatalogModel.of(declared, input, output);
  }

  private static ModelProvider.Context context(ReadableConfig call) {
    return new ModelProvider.Context() {
      @Override
      public ResolvedCatalogModel getCatalogModel() {
        return model();
      }

      @Override
      public ReadableConfig runtimeConfig() {
        return call;
      }
    };
  }
}
