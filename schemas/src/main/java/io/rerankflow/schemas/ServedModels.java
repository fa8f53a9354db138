package io.rerankflow.schemas;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The model names and aliases a job serves, resolving a request's {@code model} field. */
public final class ServedModels implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, List<String>> aliasesByName;
  private final Map<String, String> nameByAlias;

  private ServedModels(Map<String, List<String>> aliasesByName) {
    this.aliasesByName = aliasesByName;
    this.nameByAlias = new LinkedHashMap<>();
    aliasesByName.forEach(
        (name, aliases) -> {
          nameByAlias.put(name, name);
          aliases.forEach(alias -> nameByAlias.put(alias, name));
        });
  }

  /** Starts an empty set; add each model with {@link Builder#add}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The canonical name for a requested name or alias. */
  public Optional<String> resolve(String requested) {
    return Optional.ofNullable(nameByAlias.get(requested));
  }

  /** Canonical names, in the order they were configured. */
  public List<String> names() {
    return List.copyOf(aliasesByName.keySet());
  }

  /** "name (aliases: a, b), other" — for messages that list what is served. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    aliasesByName.forEach(
        (name, aliases) ->
            parts.add(
                aliases.isEmpty()
                    ? name
                    : name + " (aliases: " + String.join(", ", aliases) + ")"));
    return String.join(", ", parts);
  }

  /** Collects served models, rejecting a name or alias used twice. */
  public static final class Builder {
    private final List<Map.Entry<String, List<String>>> added = new ArrayList<>();

    private Builder() {}

    public Builder add(String name, List<String> aliases) {
      added.add(Map.entry(name, List.copyOf(aliases)));
      return this;
    }

    public ServedModels build() {
      if (added.isEmpty()) {
        throw new IllegalStateException("at least one model must be served");
      }
      Map<String, List<String>> aliasesByName = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> model : added) {
        if (aliasesByName.putIfAbsent(model.getKey(), model.getValue()) != null) {
          throw new IllegalStateException(
              "model name '"
                  + model.getKey()
                  + "' is served twice; give each --model its own name=dir");
        }
      }
      Map<String, String> seen = new LinkedHashMap<>();
      aliasesByName.forEach(
          (name, aliases) -> {
            List<String> all = new ArrayList<>(aliases);
            all.add(0, name);
            for (String n : all) {
              String previous = seen.putIfAbsent(n, name);
              if (previous != null && !previous.equals(name)) {
                throw new IllegalStateException(
                    "model name or alias '" + n + "' is used by both " + previous + " and " + name);
              }
            }
          });
      return new ServedModels(Collections.unmodifiableMap(new LinkedHashMap<>(aliasesByName)));
    }
  }
}
