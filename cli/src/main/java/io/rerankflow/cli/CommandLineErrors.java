package io.rerankflow.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How a command reports failures: a user's mistake (a bad option, a missing file, a wrong {@code
 * --model}) is one line on stderr and exit code 2; anything else is one line and exit code 1. The
 * stack trace only with {@code --verbose}, which {@link #install} adds to the command.
 */
public final class CommandLineErrors
    implements IExecutionExceptionHandler, IParameterExceptionHandler {
  /** The option that adds the stack trace to an error line. */
  public static final String VERBOSE = "--verbose";

  private CommandLineErrors() {}

  /** {@code commandLine} with the one-line error handlers and the {@code --verbose} option. */
  public static CommandLine install(CommandLine commandLine) {
    commandLine
        .getCommandSpec()
        .addOption(
            OptionSpec.builder(VERBOSE)
                .type(boolean.class)
                .description("On an error, print its stack trace as well as its message.")
                .build());
    CommandLineErrors handler = new CommandLineErrors();
    return commandLine.setExecutionExceptionHandler(handler).setParameterExceptionHandler(handler);
  }

  /** Runs {@code command} with these handlers, returning its exit code. */
  public static int execute(Object command, String... args) {
    return install(new CommandLine(command)).execute(args);
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String line = e.getMessage();
    if (e instanceof UnmatchedArgumentException unmatched) {
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty()) {
        line += "; did you mean " + String.join(" or ", suggestions) + "?";
      }
    }
    report(
        command,
        e,
        Arrays.asList(args).contains(VERBOSE),
        line + " (see " + command.getCommandName() + " --help)");
    return ExitCode.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
    boolean verbose = parsed.hasMatchedOption(VERBOSE);
    Throwable unwrapped = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (unwrapped instanceof IllegalArgumentException) {
      report(command, e, verbose, unwrapped.getMessage());
      return ExitCode.USAGE;
    }
    if (unwrapped instanceof FileSystemException file) {
      // Where the user pointed cannot be read or written: the path and the reason are the answer.
      report(command, e, verbose, describe(file));
      return ExitCode.USAGE;
    }
    Throwable root = deepestWithMessage(e);
    report(
        command,
        e,
        verbose,
        "failed: "
            + root.getClass().getSimpleName()
            + (root.getMessage() == null ? "" : ": " + root.getMessage())
            + (verbose ? "" : " (rerun with " + VERBOSE + " for the stack trace)"));
    return ExitCode.SOFTWARE;
  }

  private static String describe(FileSystemException e) {
    String reason =
        e instanceof NoSuchFileException
            ? "no such file or directory"
            : e instanceof AccessDeniedException
                ? "permission denied"
                : e instanceof FileAlreadyExistsException
                    ? "already exists"
                    : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    return e.getFile() + ": " + reason;
  }

  /** The innermost cause that says something (Flink wraps a job's failure several times). */
  private static Throwable deepestWithMessage(Throwable e) {
    Throwable found = e;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t.getMessage() != null) {
        found = t;
      }
    }
    return found;
  }

  private static void report(CommandLine command, Throwable e, boolean verbose, String line) {
    PrintWriter err = command.getErr();
    if (verbose) {
      e.printStackTrace(err);
    }
    err.println(command.getCommandName() + ": " + line);
    err.flush();
  }
}
