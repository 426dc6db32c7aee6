package io.seedgate.node;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** JWTs signed with RS256 and ES256 private keys, checked by nodes holding only the PEM public key. */
class JwtKeysTest {

  @Test
  void rs256TokensAreAcceptedWithThePublicKeyAndOtherKeysAreRefused() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    playWithKeys("RS256", rsa.generateKeyPair(), rsa.generateKeyPair());
  }

  @Test
  void es256TokensAreAcceptedWithThePublicKeyAndOtherKeysAreRefused() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    playWithKeys("ES256", ec.generateKeyPair(), ec.generateKeyPair());
  }

  private static void playWithKeys(String alg, KeyPair keys, KeyPair otherKeys) throws Exception {
    Path publicPem = Files.createTempFile("jwt-public", ".pem");
    Files.writeString(publicPem, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    try (TestNode node = TestNode.start(Map.of("auth.jwt.algorithm", alg,
      "auth.jwt.publicKeyFile", publicPem.toString()))) {
      String player = "71" + (int) (Math.random() * 1_000_000);
      String good = sign(node, alg, keys, player);
      try (TestClient c = TestClient.connect(node.vertx, node.port, "/?token=" + good,
        MultiMap.caseInsensitiveMultiMap())) {
        c.sendBinary(new JsonObject().put("action", "api/load"));
        assertEquals(Long.parseLong(player), c.nextContaining("\"load\"").getJsonArray("players").getJsonObject(0)
          .getLong("id"));
      }
      String forged = sign(node, alg, otherKeys, player);
      try (TestClient c = node.client()) {
        c.sendBinary(new JsonObject().put("token", forged).put("action", "api/load"));
        assertEquals("invalid token", c.next().getString("error"));
        c.awaitClose();
      }
      String hs = node.jwt(player, "1", 60);
      try (TestClient c = node.client()) {
        c.sendBinary(new JsonObject().put("token", hs).put("action", "api/load"));
        assertEquals("invalid token", c.next().getString("error"), "an HS256 token where " + alg + " is configured");
        c.awaitClose();
      }
    } finally {
      Files.deleteIfExists(publicPem);
    }
  }

  private static String sign(TestNode node, String alg, KeyPair keys, String sub) {
    JWTAuth signer = JWTAuth.create(node.vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
      .setAlgorithm(alg).setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))));
    return signer.generateToken(new JsonObject().put("sub", sub).put("map", "m" + UUID.randomUUID()),
      new JWTOptions().setAlgorithm(alg).setExpiresInSeconds(60));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
