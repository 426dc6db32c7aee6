package io.seedgate.node;

import ch.qos.logback.core.PropertyDefinerBase;

/**
 * Which appender of logback.xml writes the lines: {@code JSON} when {@code SEED_LOGGING_JSON} (the environment form
 * of {@code logging.json}) is {@code true}, {@code TEXT} for anything else, so that a mistyped value still logs
 * (and the node then refuses the value, saying so in text). logback.xml asks it through {@code <define>}: an
 * {@code <if>} would need Janino, and naming the appender after the variable itself would leave a node whose
 * variable is {@code TRUE} or {@code 1} with no log at all. Read once, when logback starts: JSON from the first line
 * on, before the node's config is read ({@link JsonLogging} switches later for a config file's
 * {@code logging.json}). With {@code <other>true</other>} it names the appender not used, which logback.xml hangs
 * on a logger that is off: an appender no logger refers to makes logback warn, and print its status, at every start.
 */
public final class LogFormat extends PropertyDefinerBase {

  private String json = "false";
  private boolean other;

  /** The variable's value, as logback.xml passes it ({@code ${SEED_LOGGING_JSON:-false}}). */
  public void setJson(String json) {
    this.json = json;
  }

  /** Whether to name the appender not used rather than the one used. */
  public void setOther(boolean other) {
    this.other = other;
  }

  /** {@code JSON} or {@code TEXT}: the name of the appender to use (or, with {@code other}, of the other one). */
  @Override
  public String getPropertyValue() {
    boolean useJson = json != null && json.trim().equalsIgnoreCase("true");
    return useJson != other ? "JSON" : "TEXT";
  }
}
