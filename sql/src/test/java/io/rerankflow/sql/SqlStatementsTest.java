package io.rerankflow.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {

  private static List<String> texts(String script) {
    return SqlStatements.split(script).stream().map(s -> s.text().strip()).toList();
  }

  @Test
  void semicolonsEndStatementsOutsideStringsIdentifiersAndComments() {
    String script =
        "CREATE TABLE t (a STRING) WITH ('path' = 'x;y');\n"
            + "-- a comment; not a statement end\n"
            + "SELECT `we;ird`, \"q;q\" FROM t /* block; comment */ WHERE a = 'it''s; fine';\n"
            + "SET 'k' = 'v'";
    assertThat(texts(script))
        .containsExactly(
            "CREATE TABLE t (a STRING) WITH ('path' = 'x;y')",
            "-- a comment; not a statement end\n"
                + "SELECT `we;ird`, \"q;q\" FROM t /* block; comment */ WHERE a = 'it''s; fine'",
            "SET 'k' = 'v'");
  }

  @Test
  void emptyStatementsAndTrailingCommentsAreSkipped() {
    assertThat(texts(";;\n  ;\nSELECT 1;\n-- the end\n")).containsExactly("SELECT 1");
  }

  @Test
  void statementsKnowTheLineTheyStartOn() {
    List<SqlStatements.Statement> statements =
        SqlStatements.split("SELECT 1;\n\n-- c\nSELECT\n 2;\n/* x\n y */ SELECT 3;");
    assertThat(statements).extracting(SqlStatements.Statement::line).containsExactly(1, 4, 7);
    assertThat(statements.get(1).head()).isEqualTo("SELECT");
  }

  @Test
  void linesFedOneByOneCompleteAStatementOnlyAtItsSemicolon() {
    SqlStatements splitter = new SqlStatements();
    assertThat(splitter.feed("INSERT INTO t\n")).isEmpty();
    assertThat(splitter.incomplete()).isTrue();
    assertThat(splitter.feed("SELECT 'a;\n")).isEmpty();
    assertThat(splitter.feed("b' FROM s; SELECT 2\n"))
        .extracting(s -> s.text().strip())
        .containsExactly("INSERT INTO t\nSELECT 'a;\nb' FROM s");
    assertThat(splitter.incomplete()).isTrue();
    assertThat(splitter.rest()).get().extracting(s -> s.text().strip()).isEqualTo("SELECT 2");
  }
}
