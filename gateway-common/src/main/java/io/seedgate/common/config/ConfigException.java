package io.seedgate.common.config;

import io.seedgate.common.ExpectedFailure;

/** A configuration that cannot be used; the message names the setting and what is wrong with it. */
public class ConfigException extends RuntimeException implements ExpectedFailure {
  public ConfigException(String message) {
    super(message);
  }
}
