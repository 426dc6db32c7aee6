package io.seedgate.gateway.routing;

/**
 * An action split into model and method: {@code move/up} is model {@code move}, method {@code up}; a missing part
 * defaults to {@code api} / {@code index} (2021 behaviour). Names are letters, digits, '_' and '-', at most 64.
 */
public record Action(String model, String method) {

  /** The model of an action that names none (2021 behaviour). */
  public static final String DEFAULT_MODEL = "api";
  /** The method of an action that names none. */
  public static final String DEFAULT_METHOD = "index";

  private static final int MAX_NAME = 64;

  /** The action, or {@code null} when a part is not a valid name. */
  public static Action parse(String action) {
    int slash = action.indexOf('/');
    String model = slash < 0 ? action : action.substring(0, slash);
    String method = slash < 0 ? "" : action.substring(slash + 1);
    if (model.isEmpty()) {
      model = DEFAULT_MODEL;
    }
    if (method.isEmpty()) {
      method = DEFAULT_METHOD;
    }
    return validName(model) && validName(method) ? new Action(model, method) : null;
  }

  private static boolean validName(String s) {
    if (s.length() > MAX_NAME) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
