// Unit tests of the pure game rules: `npm test` (node's built-in test runner; no Redis needed).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as game from '../lib/game.js';

test('a move is one step, clamped to the GEO range and rounded to 2 decimals', () => {
  assert.deepEqual(game.step({ x: 1.5, y: 2 }, game.direction('up'), 0.5), { x: 1.5, y: 2.5 });
  assert.deepEqual(game.step({ x: 179.9, y: 0 }, game.direction('right'), 0.5), { x: 180, y: 0 });
  assert.deepEqual(game.step({ x: 0, y: -84.8 }, game.direction('down'), 0.5), { x: 0, y: -85 });
  assert.deepEqual(game.step({ x: 0.1, y: 0 }, game.direction('left'), 0.333), { x: -0.23, y: 0 });
  assert.equal(Object.is(game.round2(-0.001), 0), true, 'never -0');
  assert.equal(game.round2(1.005 + 1e-9), 1.01);
  assert.equal(game.direction('jump'), undefined);
  assert.equal(game.direction('constructor'), undefined);
});

test('GEOPOS entries become normalized positions, the origin when absent', () => {
  assert.deepEqual(game.geoPosition({ longitude: '1.49999994039535522', latitude: '2.00000011920928955' }),
    { x: 1.5, y: 2 });
  assert.deepEqual(game.geoPosition(null), game.ORIGIN);
});

test('ids are numbers when they are canonical integers', () => {
  assert.equal(game.idValue('5'), 5);
  assert.equal(game.idValue('05'), '05');
  assert.equal(game.idValue('g123'), 'g123');
  assert.equal(game.idValue('99999999999999999999'), '99999999999999999999');
});

test('envelopes: model and method from the action, defaults api/index, bad ones refused', () => {
  const e = game.parseEnvelope('{"player":5,"map":"1","token":"T","action":"move/up","data":{"pingTime":0.2}}');
  assert.deepEqual(e, { player: '5', map: '1', token: 'T', model: 'move', method: 'up', action: 'move/up',
    data: { pingTime: 0.2 } });
  assert.equal(game.parseEnvelope('{"player":"5","map":"1","token":"T","action":"/"}').action, '/');
  assert.equal(game.parseEnvelope('{"player":"5","map":"1","token":"T","action":"/"}').model, 'api');
  assert.equal(game.parseEnvelope('{"player":"5","map":"1","token":"T","action":"/"}').method, 'index');
  for (const bad of ['x', '[]', '{"map":"1","token":"T","action":"a/b"}', '{"player":1.5,"map":"1","token":"T","action":"a"}',
    '{"player":"5","map":"1","token":" ","action":"a"}', '{"player":"5","map":"1","token":"T"}',
    '{"player":"5","map":"1","token":"T","action":"a","data":[]}', '{"player":"5","map":"1","token":"T","action":"a","ts":"1"}']) {
    assert.throws(() => game.parseEnvelope(bad), game.MalformedEnvelopeError, bad);
  }
});

test('replies have the 2021 shapes', () => {
  assert.equal(JSON.stringify(game.replies.load([game.playerState('5', 'idle', { x: 1.5, y: 2 })])),
    '{"action":"load","players":[{"id":5,"action":"idle","position":[1.5,2]}],"enemys":[],"objects":[],"map":{"data":""}}');
  assert.equal(JSON.stringify(game.replies.saved()), '{"action":"save","ok":true}');
});

const ONE_SERVER = {
  redisCluster: [], redisSentinels: [], redisMasterName: 'mymaster', shardedPubSub: false, actionChannels: 0,
};

test('settings come from the environment and bad ones name the setting', () => {
  assert.deepEqual(game.settings({}),
    { redisUrl: 'redis://127.0.0.1:6379', actionChannelPrefix: 'action:', step: 0.5, ...ONE_SERVER });
  assert.deepEqual(game.settings({ REDIS_URL: 'redis://r:1', ACTION_CHANNEL_PREFIX: 'a:', STEP: '2' }, []),
    { redisUrl: 'redis://r:1', actionChannelPrefix: 'a:', step: 2, ...ONE_SERVER });
  assert.equal(game.settings({ REDIS_URL: 'redis://r:1' }, ['redis://arg:2']).redisUrl, 'redis://arg:2');
  assert.throws(() => game.settings({ STEP: '0' }), /STEP/);
  assert.throws(() => game.settings({ STEP: 'x' }), /STEP/);
  assert.throws(() => game.settings({ ACTION_CHANNEL_PREFIX: '' }), /ACTION_CHANNEL_PREFIX/);
});

test('a cluster is some of its nodes, comma-separated; sharded Pub/Sub is true or false', () => {
  const s = game.settings({ REDIS_CLUSTER: 'redis://10.0.0.1:7000, redis://10.0.0.2:7000,', SHARDED_PUBSUB: 'true' });
  assert.deepEqual(s.redisCluster, ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']);
  assert.equal(s.shardedPubSub, true);
  assert.deepEqual(s.redisSentinels, []);
  assert.equal(game.settings({ REDIS_CLUSTER: 'rediss://u:p@h:7000' }).redisCluster[0], 'rediss://u:p@h:7000');
  assert.equal(game.settings({ REDIS_CLUSTER: '' }).redisCluster.length, 0, 'blank: one server');
  assert.equal(game.settings({ SHARDED_PUBSUB: 'FALSE' }).shardedPubSub, false);
  assert.equal(game.describeRedis(s), 'cluster redis://10.0.0.1:7000,redis://10.0.0.2:7000, sharded Pub/Sub');
  for (const bad of ['10.0.0.1:7000', 'http://h:1', 'redis://h:1,nonsense', 'redis://']) {
    assert.throws(() => game.settings({ REDIS_CLUSTER: bad }), /'REDIS_CLUSTER'/, bad);
  }
  assert.throws(() => game.settings({ SHARDED_PUBSUB: 'yes' }), /'SHARDED_PUBSUB'/);
  assert.throws(() => game.settings({ SHARDED_PUBSUB: '1' }), /'SHARDED_PUBSUB'/);
});

test('Sentinel is the Sentinels, comma-separated, and the master name; not with a cluster', () => {
  const s = game.settings({ REDIS_SENTINELS: 'redis://s1:26379,redis://s2:26379', REDIS_MASTER_NAME: 'game' });
  assert.deepEqual(s.redisSentinels, ['redis://s1:26379', 'redis://s2:26379']);
  assert.equal(s.redisMasterName, 'game');
  assert.deepEqual(s.redisCluster, []);
  assert.equal(game.settings({ REDIS_SENTINELS: 'redis://s1:26379' }).redisMasterName, 'mymaster');
  assert.equal(game.describeRedis(s), "sentinel master 'game' via redis://s1:26379,redis://s2:26379");
  assert.throws(() => game.settings({ REDIS_SENTINELS: 's1:26379' }), /'REDIS_SENTINELS'/);
  assert.throws(() => game.settings({ REDIS_SENTINELS: 'redis://s1:26379', REDIS_MASTER_NAME: ' ' }),
    /'REDIS_MASTER_NAME'/);
  assert.throws(() => game.settings({ REDIS_SENTINELS: 'redis://s1:1', REDIS_CLUSTER: 'redis://c1:1' }),
    /'REDIS_CLUSTER' and 'REDIS_SENTINELS'/);
});

test('ACTION_CHANNELS is a whole number from 0 to 16384, 0 by default', () => {
  assert.equal(game.settings({}).actionChannels, 0);
  assert.equal(game.settings({ ACTION_CHANNELS: '0' }).actionChannels, 0);
  assert.equal(game.settings({ ACTION_CHANNELS: '8' }).actionChannels, 8);
  assert.equal(game.settings({ ACTION_CHANNELS: ' 16 ' }).actionChannels, 16);
  assert.equal(game.settings({ ACTION_CHANNELS: '16384' }).actionChannels, 16_384);
  for (const bad of ['', ' ', '-1', '16385', '1.5', '1e3', '0x10', '+8', 'eight', '8 8', '99999999999999999999']) {
    assert.throws(() => game.settings({ ACTION_CHANNELS: bad }), (e) => {
      assert.match(e.message, /setting 'ACTION_CHANNELS' must be a whole number from 0 to 16384/);
      assert.ok(e.message.endsWith(`got: ${bad}`), e.message);
      return true;
    }, JSON.stringify(bad));
  }
  assert.equal(game.describeRedis(game.settings({ ACTION_CHANNELS: '8' })),
    'redis://127.0.0.1:6379, 8 sharded action channels per model');
  assert.equal(game.describeRedis(game.settings({})), 'redis://127.0.0.1:6379');
});

test('the action channels: one classic channel per model, or N sharded ones per model', () => {
  assert.deepEqual(game.actionChannels('action:', 0), ['action:api', 'action:move']);
  assert.deepEqual(game.actionChannels('a:', 1), ['a:api:0', 'a:move:0']);
  assert.deepEqual(game.actionChannels('action:', 3),
    ['action:api:0', 'action:api:1', 'action:api:2', 'action:move:0', 'action:move:1', 'action:move:2']);
  const all = game.actionChannels('action:', 16_384);
  assert.equal(all.length, 2 * 16_384);
  assert.equal(new Set(all).size, all.length, 'no channel twice');
  assert.equal(all.at(-1), 'action:move:16383');
  assert.equal(game.shardedActionChannel('action:', 'move', 5), 'action:move:5');
});
