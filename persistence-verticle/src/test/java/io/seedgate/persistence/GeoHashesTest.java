package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.seedgate.persistence.resp.RespReplies;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Positions decoded from GEO set scores must be what the real Redis's GEOPOS gives. */
class GeoHashesTest extends TestSupport {

  @Test
  void decodedScoresEqualGeoposForPointsAllOverTheMap() {
    String map = newMap();
    Random random = new Random(42);
    List<double[]> points = new ArrayList<>();
    points.add(new double[] {0, 0});
    points.add(new double[] {-180, -85.05112878});
    points.add(new double[] {180, 85.05112878});
    points.add(new double[] {179.999999, -85.05});
    points.add(new double[] {-0.0000001, 0.0000001});
    points.add(new double[] {12.345, 45.678});
    for (int i = 0; i < 2_000; i++) {
      points.add(new double[] {random.nextDouble() * 360 - 180, random.nextDouble() * 170.1 - 85.05});
    }
    Request add = Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map));
    Request geopos = Request.cmd(Command.GEOPOS).arg(RedisKeys.mapGeoSet(map));
    Request scores = Request.cmd(Command.ZMSCORE).arg(RedisKeys.mapGeoSet(map));
    for (int i = 0; i < points.size(); i++) {
      add.arg(points.get(i)[0]).arg(points.get(i)[1]).arg("p" + i);
      geopos.arg("p" + i);
      scores.arg("p" + i);
    }
    await(redis.send(add));
    Response positions = await(redis.send(geopos));
    Response raw = await(redis.send(scores));

    StringBuilder resp = new StringBuilder("*").append(raw.size()).append("\r\n");
    for (Response score : raw) {
      String s = score.toString();
      resp.append('$').append(s.length()).append("\r\n").append(s).append("\r\n");
    }
    RespReplies replies = RespReplies.parse(Buffer.buffer(resp.toString()), 1);
    int score = replies.first(replies.reply(0));
    for (int i = 0; i < points.size(); i++) {
      long bits = RedisPlayerReader.geohash(replies, score);
      assertTrue(GeoHashes.valid(bits), "score of p" + i + ": " + replies.string(score));
      Response pos = positions.get(i);
      // GEOPOS prints 17 decimal places: equal to that precision, and equal once rounded as the flush stores them
      assertEquals(pos.get(0).toDouble(), GeoHashes.longitude(bits), 1e-15, "longitude of p" + i);
      assertEquals(pos.get(1).toDouble(), GeoHashes.latitude(bits), 1e-15, "latitude of p" + i);
      assertEquals(PlayerState.round2(pos.get(0).toDouble()), PlayerState.round2(GeoHashes.longitude(bits)));
      assertEquals(PlayerState.round2(pos.get(1).toDouble()), PlayerState.round2(GeoHashes.latitude(bits)));
      score = replies.next(score);
    }
  }

  @Test
  void scoresThatAreNoGeohashAreRefused() {
    String resp = "*4\r\n$2\r\n-1\r\n$4\r\n1e19\r\n$3\r\n1.5\r\n$-1\r\n";
    RespReplies replies = RespReplies.parse(Buffer.buffer(resp), 1);
    int e = replies.first(replies.reply(0));
    for (int i = 0; i < 4; i++) {
      assertFalse(GeoHashes.valid(RedisPlayerReader.geohash(replies, e)), replies.string(e));
      e = replies.next(e);
    }
  }
}
