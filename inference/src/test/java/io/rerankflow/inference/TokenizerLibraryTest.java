package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.testing.TinyTokenizers;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Flink TaskManager loads every job (and every restart) in a class loader of its own; the native
 * tokenizer library must load in each of them, as it does here in two isolated loaders.
 */
class TokenizerLibraryTest {

  @Test
  void eachClassLoaderLoadsTheNativeTokenizerItself(@TempDir Path dir) throws Exception {
    Path tokenizer = TinyTokenizers.wordPiece(dir);
    for (int job = 0; job < 2; job++) {
      try (URLClassLoader jobLoader = isolatedLoader()) {
        Class<?> textTokenizer = jobLoader.loadClass(TextTokenizer.class.getName());
        assertThat(textTokenizer).isNotSameAs(TextTokenizer.class);
        Object instance =
            textTokenizer.getConstructor(Path.class, int.class).newInstance(tokenizer, 16);
        Class<?> truncate = jobLoader.loadClass("io.rerankflow.schemas.Truncate");
        Method encode = textTokenizer.getMethod("encodeSingle", String.class, truncate);
        Object encoded = encode.invoke(instance, "two roads", enumValue(truncate, "NONE"));
        long[] ids = (long[]) encoded.getClass().getMethod("ids").invoke(encoded);
        assertThat(ids)
            .containsExactly(
                TinyTokenizers.id(TinyTokenizers.CLS),
                TinyTokenizers.id("two"),
                TinyTokenizers.id("roads"),
                TinyTokenizers.id(TinyTokenizers.SEP));
        ((AutoCloseable) instance).close();
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object enumValue(Class<?> type, String name) {
    return Enum.valueOf((Class) type, name);
  }

  // A loader over this JVM's class path that never asks the application loader, like Flink's
  // child-first user-code class loader.
  private static URLClassLoader isolatedLoader() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }
}
