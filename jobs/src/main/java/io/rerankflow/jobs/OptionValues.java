package io.rerankflow.jobs;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** Maps enum constants to the lower-case, dash-separated words users type (at-least-once). */
public final class OptionValues {
  private OptionValues() {}

  static String of(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static <E extends Enum<E>> E parse(Class<E> type, String option, String text) {
    for (E value : type.getEnumConstants()) {
      if (of(value).equals(text.trim().toLowerCase(Locale.ROOT))) {
        return value;
      }
    }
    throw new CommandLine.TypeConversionException(
        "'"
            + text
            + "' is not a valid "
            + option
            + "; expected one of "
            + Arrays.stream(type.getEnumConstants())
                .map(OptionValues::of)
                .collect(Collectors.joining(", ")));
  }
}
