# Sourced by scripts/kafka-local and scripts/kafka-cli: sets KAFKA_CP to the class path of
# Apache Kafka's broker and tools (resolved from Maven Central by the Maven wrapper, once).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cp_file="$root/scripts/kafka-local.d/target/classpath.txt"
if [[ ! -s "$cp_file" || "$root/scripts/kafka-local.d/pom.xml" -nt "$cp_file" ]]; then
  echo "Resolving Apache Kafka from Maven Central (first run only)..." >&2
  (cd "$root" && ./mvnw -B -q -f scripts/kafka-local.d/pom.xml dependency:build-classpath \
    -Dmdep.outputFile="$cp_file") >&2
fi
KAFKA_CP="$(cat "$cp_file")"
KAFKA_LOG4J="$root/scripts/kafka-local.d/log4j2.properties"
