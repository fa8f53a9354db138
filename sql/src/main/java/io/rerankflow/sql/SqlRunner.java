package io.rerankflow.sql;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.internal.ModelImpl;
import org.apache.flink.table.catalog.ContextResolvedModel;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * {@code scripts/sql}: runs Flink SQL statements on an embedded local Flink, from a file ({@code
 * -f}) or standard input (with a prompt on a terminal). Statements split as Flink's SQL client
 * splits them; {@code SET 'key' = 'value'} sets the session's configuration; each {@code INSERT} is
 * awaited; a failing statement prints one line naming it.
 */
public final class SqlRunner {
  private static final Pattern SET =
      Pattern.compile(
          "\\s*SET(?:\\s+'([^']*)'\\s*=\\s*'([^']*)')?\\s*",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern CREATE_MODEL =
      Pattern.compile(
          "\\s*CREATE\\s+(?:TEMPORARY\\s+)?MODEL\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?([^\\s(]+).*",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern AWAITED =
      Pattern.compile("\\s*(INSERT|EXECUTE)\\b.*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private static final Pattern BEGIN_SET =
      Pattern.compile("\\s*BEGIN\\s+STATEMENT\\s+SET\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern END = Pattern.compile("\\s*END\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern INSERT =
      Pattern.compile("\\s*INSERT\\b.*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern CLASS_PREFIX =
      Pattern.compile("(?:[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error): ");

  private final TableEnvironment tEnv;
  private final PrintStream out;
  private final PrintStream err;
  private int executed;

  /** The INSERTs between {@code BEGIN STATEMENT SET;} and {@code END;}, run as one job. */
  private StatementSet statementSet;

  public SqlRunner(TableEnvironment tEnv, PrintStream out, PrintStream err) {
    this.tEnv = tEnv;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) throws IOException {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-f", "--file" -> {
          if (i + 1 == args.length) {
            usage("-f needs a file: scripts/sql -f statements.sql");
          }
          file = Path.of(args[++i]);
        }
        case "-h", "--help" -> {
          System.out.println(
              "Usage: scripts/sql [-f FILE]\n"
                  + "Runs Flink SQL statements (separated by ';') on an embedded local Flink with the"
                  + " rerankflow model provider and the filesystem, JSON and Kafka connectors.\n"
                  + "Without -f it reads standard input, with a prompt on a terminal.");
          return;
        }
        default -> usage("unknown argument " + args[i] + " (try scripts/sql --help)");
      }
    }
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    // Flink's default of 10 rows in flight per slot cannot fill a batch; a SET overrides this.
    tEnv.getConfig()
        .set(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS, 256);
    SqlRunner runner = new SqlRunner(tEnv, System.out, System.err);
    boolean ok;
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        usage("-f " + file + ": no such file");
      }
      ok = runner.runScript(Files.readString(file));
    } else if (System.console() != null) {
      runner.interactive(
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
      ok = true;
    } else {
      ok = runner.runScript(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
    }
    System.exit(ok ? 0 : 1);
  }

  private static void usage(String message) {
    System.err.println(message);
    System.exit(2);
  }

  /** Runs every statement in order, stopping at the first failure; true when all succeeded. */
  public boolean runScript(String script) {
    for (SqlStatements.Statement statement : SqlStatements.split(script)) {
      if (!execute(statement)) {
        return false;
      }
    }
    return true;
  }

  private void interactive(BufferedReader in) throws IOException {
    SqlStatements splitter = new SqlStatements();
    out.println("rerankflow Flink SQL. End statements with ';', quit with Ctrl-D.");
    while (true) {
      out.print(splitter.incomplete() ? "> " : "rerankflow> ");
      out.flush();
      String line = in.readLine();
      if (line == null) {
        splitter.rest().ifPresent(this::execute);
        out.println();
        return;
      }
      splitter.feed(line + "\n").forEach(this::execute);
    }
  }

  /** Runs one statement; a failure prints one line naming it and returns false. */
  boolean execute(SqlStatements.Statement statement) {
    executed++;
    String sql = statement.sql();
    try {
      Matcher set = SET.matcher(sql);
      if (set.matches()) {
        if (set.group(1) == null) {
          tEnv.getConfig().getConfiguration().toMap().forEach((k, v) -> out.println(k + " = " + v));
        } else {
          tEnv.getConfig().getConfiguration().setString(set.group(1), set.group(2));
        }
        return true;
      }
      if (statementSet != null) {
        return collect(statement, sql);
      }
      if (BEGIN_SET.matcher(sql).matches()) {
        statementSet = tEnv.createStatementSet();
        return true;
      }
      TableResult result = tEnv.executeSql(sql);
      if (AWAITED.matcher(sql).matches()) {
        result.await();
        err.println("Statement " + executed + " finished: " + statement.head());
      } else if (CREATE_MODEL.matcher(sql).matches()) {
        checkModel(CREATE_MODEL.matcher(sql).replaceFirst("$1"));
      } else if (result.getResultKind()
          == org.apache.flink.table.api.ResultKind.SUCCESS_WITH_CONTENT) {
        result.print();
      }
      return true;
    } catch (Exception e) {
      statementSet = null;
      err.println(
          "Statement "
              + executed
              + " (line "
              + statement.line()
              + ") failed: "
              + statement.head()
              + " -- "
              + oneLine(e));
      return false;
    } finally {
      out.flush();
    }
  }

  /** Adds an INSERT to the open statement set, or runs and awaits the set at its END. */
  private boolean collect(SqlStatements.Statement statement, String sql) throws Exception {
    if (END.matcher(sql).matches()) {
      StatementSet set = statementSet;
      statementSet = null;
      set.execute().await();
      err.println("Statement " + executed + " finished: the statement set");
    } else if (INSERT.matcher(sql).matches()) {
      statementSet.addInsertSql(sql);
    } else {
      throw new IllegalArgumentException(
          "only INSERT statements may stand between BEGIN STATEMENT SET; and END;");
    }
    return true;
  }

  /**
   * Creates the new model's provider once, so a bad option or column fails its {@code CREATE MODEL}
   * (Flink itself would only notice at the first {@code ML_PREDICT}); a model that fails is dropped
   * again.
   */
  private void checkModel(String name) {
    ContextResolvedModel model = ((ModelImpl) tEnv.fromModel(name)).getModel();
    try {
      FactoryUtil.createModelProvider(
          null,
          model.getIdentifier(),
          model.getResolvedModel(),
          tEnv.getConfig(),
          Thread.currentThread().getContextClassLoader(),
          model.isTemporary());
    } catch (RuntimeException e) {
      if (model.isTemporary()) {
        tEnv.dropTemporaryModel(name);
      } else {
        tEnv.dropModel(name);
      }
      throw e;
    }
  }

  /** The exception and its causes as one line: each message once, outermost first. */
  static String oneLine(Throwable e) {
    StringBuilder line = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // Wrapping exceptions repeat their cause's class name; the messages are what helps.
      String message =
          t.getMessage() == null ? null : CLASS_PREFIX.matcher(t.getMessage()).replaceAll("");
      if (message == null || message.isBlank() || line.indexOf(message.strip()) >= 0) {
        continue;
      }
      line.append(line.length() == 0 ? "" : ": ").append(message.strip());
    }
    String text = line.length() == 0 ? e.getClass().getSimpleName() : line.toString();
    return text.replaceAll("\\s*\\R\\s*", " ");
  }
}
