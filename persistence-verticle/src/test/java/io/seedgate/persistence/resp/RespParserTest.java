package io.seedgate.persistence.resp;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespParserTest {

  /** Replies of every RESP2 kind as Redis writes them, nested as HGETALL, GEOPOS and TIME nest them. */
  private static final String REPLIES = "+OK\r\n"
    + "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    + ":42\r\n"
    + "$-1\r\n"
    + "*-1\r\n"
    + "*0\r\n"
    + "$0\r\n\r\n"
    + "*4\r\n$2\r\nid\r\n$1\r\n7\r\n$6\r\nmap_id\r\n$3\r\nm\u00e9\r\n"
    + "*3\r\n*2\r\n$5\r\n12.34\r\n$6\r\n-56.78\r\n*-1\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
    + "*2\r\n$10\r\n1700000000\r\n$6\r\n123456\r\n";

  private static final int COUNT = 10;

  /** A readable dump of every reply, to compare parses. */
  private static List<String> dump(RespReplies r) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < r.count(); i++) {
      StringBuilder sb = new StringBuilder();
      dump(r, r.reply(i), sb);
      out.add(sb.toString());
    }
    return out;
  }

  private static int dump(RespReplies r, int e, StringBuilder sb) {
    sb.append(r.type(e)).append(':');
    if (r.type(e) == RespReplies.ARRAY) {
      sb.append('[');
      int c = r.first(e);
      for (int i = 0; i < r.size(e); i++) {
        c = dump(r, c, sb);
        sb.append(',');
      }
      sb.append(']');
      assertEquals(c, r.next(e), "next() skips the whole array");
      return c;
    }
    sb.append(r.string(e));
    return r.next(e);
  }

  @Test
  void readsEveryKindOfReply() {
    RespReplies r = RespReplies.parse(Buffer.buffer(REPLIES.getBytes(StandardCharsets.UTF_8)), COUNT);
    assertEquals(COUNT, r.count());
    assertEquals(RespReplies.SIMPLE, r.type(r.reply(0)));
    assertEquals("OK", r.string(r.reply(0)));
    assertTrue(r.isError(r.reply(1)));
    assertTrue(r.string(r.reply(1)).startsWith("WRONGTYPE"));
    assertEquals(42, r.toLong(r.reply(2)));
    assertEquals(RespReplies.NULL, r.type(r.reply(3)));
    assertNull(r.string(r.reply(3)));
    assertEquals(RespReplies.NULL, r.type(r.reply(4)));
    assertEquals(0, r.size(r.reply(5)));
    assertEquals("", r.string(r.reply(6)));

    int hash = r.reply(7);
    assertEquals(4, r.size(hash));
    int id = r.first(hash);
    assertTrue(r.is(id, "id"));
    assertFalse(r.is(id, "ip"));
    assertEquals("7", r.string(r.next(id)));
    assertEquals("m\u00e9", r.string(r.next(r.next(r.next(id)))), "UTF-8 decoded");

    int positions = r.reply(8);
    assertEquals(3, r.size(positions));
    int first = r.first(positions);
    assertEquals("12.34", r.string(r.first(first)));
    int missing = r.next(first);
    assertEquals(RespReplies.NULL, r.type(missing));
    assertEquals("2", r.string(r.next(r.first(r.next(missing)))));

    int time = r.reply(9);
    assertEquals(1_700_000_000L, r.toLong(r.first(time)));
  }

  @Test
  void repliesSplitAnywhereReadTheSame() {
    byte[] bytes = REPLIES.getBytes(StandardCharsets.UTF_8);
    List<String> whole = dump(RespReplies.parse(Buffer.buffer(bytes), COUNT));
    Random random = new Random(7);
    for (int round = 0; round < 2_000; round++) {
      RespParser parser = new RespParser();
      int at = 0;
      boolean done = false;
      while (at < bytes.length) {
        int n = round < bytes.length ? (at == 0 ? round + 1 : bytes.length) : 1 + random.nextInt(9);
        n = Math.min(n, bytes.length - at);
        Buffer chunk = Buffer.buffer();
        chunk.appendBytes(bytes, at, n);
        parser.append(chunk);
        at += n;
        done = parser.parse(COUNT);
        assertEquals(at == bytes.length, done, "complete exactly when the last byte came, round " + round);
      }
      assertEquals(whole, dump(parser.take()), "round " + round);
    }
  }

  @Test
  void aBatchKeepsItsBytesWhileTheNextIsRead() {
    RespParser parser = new RespParser();
    parser.append(Buffer.buffer("$3\r\nabc\r\n$3\r\nde"));
    assertTrue(parser.parse(1));
    RespReplies first = parser.take();
    assertFalse(parser.parse(1));
    parser.append(Buffer.buffer("f\r\n"));
    assertTrue(parser.parse(1));
    RespReplies second = parser.take();
    assertEquals("abc", first.string(first.reply(0)));
    assertEquals("def", second.string(second.reply(0)));
  }

  @Test
  void bytesThatAreNotRespAreRefused() {
    for (String bad : List.of("?\r\n", "$abc\r\n", "$3\r\nabcXY", "*1\rX", "$99999999999999999999\r\n",
      "*2\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n")) {
      RespParser parser = new RespParser();
      parser.append(Buffer.buffer(bad));
      assertThrows(RespProtocolException.class, () -> parser.parse(1), bad);
    }
  }

  @Test
  void aCommandMustGetExactlyTheArgumentsItDeclared() {
    assertThrows(IllegalStateException.class, () -> new RespRequests().command(2).arg("GET").command(1));
    assertThrows(IllegalStateException.class, () -> new RespRequests().command(1).arg("PING").arg("extra"));
    assertThrows(IllegalStateException.class, () -> new RespRequests().command(3).arg("SET").arg("k").buffer());
    Buffer ok = new RespRequests().command(3).arg("SET").arg("k\u00e9").arg(12).buffer();
    assertEquals("*3\r\n$3\r\nSET\r\n$3\r\nk\u00e9\r\n$2\r\n12\r\n", ok.toString(StandardCharsets.UTF_8));
  }
}
