package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.vertx.core.json.JsonObject;

import java.util.EnumMap;
import java.util.Map;

/**
 * The message a client is sent for each error, {@code {"error":"<text>"}}, built once per gateway instance and sent
 * to any number of clients.
 */
final class ErrorMessages {

  private final Map<ErrorCode, OutboundMessage> messages = new EnumMap<>(ErrorCode.class);

  ErrorMessages() {
    for (ErrorCode code : ErrorCode.values()) {
      messages.put(code, OutboundMessage.ofText(new JsonObject().put("error", code.text()).encode()));
    }
  }

  OutboundMessage of(ErrorCode code) {
    return messages.get(code);
  }
}
