package io.rerankflow.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Splits SQL text into statements the way Flink's SQL client does: a {@code ;} ends a statement
 * unless it sits inside a string literal, a quoted identifier or a comment. Text may arrive in
 * pieces (lines typed at a prompt); complete statements come out as soon as their {@code ;} does.
 */
final class SqlStatements {

  /** One statement and the line of the input it starts on. */
  record Statement(String text, int line) {
    private static final Pattern LEADING_COMMENTS =
        Pattern.compile("\\A(?:\\s+|--[^\\n]*(?:\\n|\\z)|/\\*.*?\\*/)*", Pattern.DOTALL);

    /** The statement without the comments before it. */
    String sql() {
      return LEADING_COMMENTS.matcher(text).replaceFirst("").strip();
    }

    /** The statement's first line, for messages. */
    String head() {
      String first = sql().lines().findFirst().orElse("");
      return first.length() > 80 ? first.substring(0, 77) + "..." : first;
    }
  }

  private enum State {
    CODE,
    SINGLE_QUOTED,
    DOUBLE_QUOTED,
    BACKTICKED,
    LINE_COMMENT,
    BLOCK_COMMENT
  }

  private final StringBuilder pending = new StringBuilder();
  private State state = State.CODE;
  private int line = 1;
  private int startLine = 1;
  private boolean pendingHasCode;

  /** Splits a whole script; a last statement without {@code ;} counts too. */
  static List<Statement> split(String script) {
    SqlStatements splitter = new SqlStatements();
    List<Statement> statements = new ArrayList<>(splitter.feed(script));
    splitter.rest().ifPresent(statements::add);
    return statements;
  }

  /** Adds text; returns the statements it completed. */
  List<Statement> feed(String text) {
    List<Statement> done = new ArrayList<>();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      char next = i + 1 < text.length() ? text.charAt(i + 1) : '\0';
      switch (state) {
        case CODE -> {
          if (c == ';') {
            if (pendingHasCode) {
              done.add(new Statement(pending.toString(), startLine));
            }
            pending.setLength(0);
            pendingHasCode = false;
            continue;
          }
          if (c == '\'') {
            state = State.SINGLE_QUOTED;
          } else if (c == '"') {
            state = State.DOUBLE_QUOTED;
          } else if (c == '`') {
            state = State.BACKTICKED;
          } else if (c == '-' && next == '-') {
            state = State.LINE_COMMENT;
          } else if (c == '/' && next == '*') {
            state = State.BLOCK_COMMENT;
            pending.append(c).append(next);
            i++;
            continue;
          }
          if (!Character.isWhitespace(c) && state != State.LINE_COMMENT) {
            if (!pendingHasCode) {
              startLine = line;
            }
            pendingHasCode = true;
          }
        }
        // Doubling a quote escapes it: leaving and re-entering the literal reads it correctly.
        case SINGLE_QUOTED -> state = c == '\'' ? State.CODE : state;
        case DOUBLE_QUOTED -> state = c == '"' ? State.CODE : state;
        case BACKTICKED -> state = c == '`' ? State.CODE : state;
        case LINE_COMMENT -> state = c == '\n' ? State.CODE : state;
        case BLOCK_COMMENT -> {
          if (c == '*' && next == '/') {
            state = State.CODE;
            pending.append(c).append(next);
            i++;
            continue;
          }
        }
      }
      if (c == '\n') {
        line++;
      }
      pending.append(c);
    }
    return done;
  }

  /** Whether text has been fed that no {@code ;} has ended yet (a prompt shows continuation). */
  boolean incomplete() {
    return pendingHasCode || state != State.CODE;
  }

  /** The unfinished statement at the end of input, if it has any code. */
  Optional<Statement> rest() {
    if (!pendingHasCode) {
      return Optional.empty();
    }
    Statement last = new Statement(pending.toString(), startLine);
    pending.setLength(0);
    pendingHasCode = false;
    return Optional.of(last);
  }
}
