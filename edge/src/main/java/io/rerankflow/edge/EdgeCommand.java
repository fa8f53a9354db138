package io.rerankflow.edge;

import io.rerankflow.cli.CommandLineErrors;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code scripts/edge}: parses the options, starts an {@link EdgeServer} and serves until Ctrl-C. A
 * wrong option is one line on stderr and exit status 2; a failed start one line and status 1.
 */
@Command(
    name = "edge",
    mixinStandardHelpOptions = true,
    description =
        "Serve the NIM's POST /v1/ranking over HTTP, with the scoring done by a running rerankflow"
            + " job (--source kafka --sink kafka).")
public final class EdgeCommand implements Callable<Integer> {
  @Mixin private EdgeOptions options = new EdgeOptions();

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with the project's one-line error handling ({@link CommandLineErrors}). */
  public static CommandLine commandLine() {
    return CommandLineErrors.install(new CommandLine(new EdgeCommand()));
  }

  @Override
  public Integer call() throws Exception {
    EdgeServer edge = EdgeServer.start(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  edge.close();
                  stopped.countDown();
                },
                "edge-shutdown"));
    System.out.println(
        "Edge "
            + options.instanceId
            + (edge.tls() ? " on https://" : " on http://")
            + options.host
            + ":"
            + edge.port()
            + "/v1/ranking (topics "
            + options.requestsTopic
            + " -> "
            + options.resultsTopic
            + " at "
            + options.bootstrapServers
            + "); Ctrl-C stops it");
    stopped.await();
    return 0;
  }
}
