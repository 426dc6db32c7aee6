// Unit tests of following the Sentinels' +switch-master announcements (no Redis needed).
import test from 'node:test';
import assert from 'node:assert/strict';
import { MasterSwitches, parseSwitch } from '../lib/sentinels.js';
import { sameAddress, sentinelEndpoint } from '../lib/redis.js';

test('a +switch-master message reads as master name, old and new address; anything else as null', () => {
  assert.deepEqual(parseSwitch('game 127.0.0.1 6379 127.0.0.1 6380'),
    { masterName: 'game', oldHost: '127.0.0.1', oldPort: 6379, newHost: '127.0.0.1', newPort: 6380 });
  assert.deepEqual(parseSwitch(' game 10.0.0.1 6379 ::1 6380\n'),
    { masterName: 'game', oldHost: '10.0.0.1', oldPort: 6379, newHost: '::1', newPort: 6380 });
  assert.equal(parseSwitch(''), null);
  assert.equal(parseSwitch('game 127.0.0.1 6379 127.0.0.1'), null, 'four parts');
  assert.equal(parseSwitch('game 127.0.0.1 6379 127.0.0.1 6380 extra'), null, 'six parts');
  assert.equal(parseSwitch('game 127.0.0.1 6379 127.0.0.1 63a0'), null, 'a port that is not a number');
  assert.equal(parseSwitch('game 127.0.0.1 x 127.0.0.1 6380'), null);
  assert.equal(parseSwitch('game 127.0.0.1 6379 127.0.0.1 70000'), null, 'no such port');
  assert.equal(parseSwitch('game 127.0.0.1 6379 127.0.0.1 -1'), null);
});

test('each switch of our master is passed on once, however many Sentinels announce it', () => {
  const passed = [];
  // no start(): nothing connects, the announcements are handed in as the subscriptions would
  const switches = new MasterSwitches(['redis://s1:26379', 'redis://s2:26379'], 'game',
    (s, sentinel) => passed.push([`${s.newHost}:${s.newPort}`, sentinel]));
  switches.announced('game 10.0.0.1 6379 10.0.0.2 6380', 'redis://s1:26379'); // the leader first
  switches.announced('game 10.0.0.1 6379 10.0.0.2 6380', 'redis://s2:26379'); // the others later
  switches.announced('game 10.0.0.1 6379 10.0.0.2 6380', 'redis://s1:26379');
  switches.announced('other 10.0.0.7 6379 10.0.0.8 6380', 'redis://s1:26379'); // another master's
  switches.announced('not a switch', 'redis://s2:26379');
  assert.deepEqual(passed, [['10.0.0.2:6380', 'redis://s1:26379']]);
  // failed back, then over again: each is a new address
  switches.announced('game 10.0.0.2 6380 10.0.0.1 6379', 'redis://s2:26379');
  switches.announced('game 10.0.0.2 6380 10.0.0.1 6379', 'redis://s1:26379');
  switches.announced('game 10.0.0.1 6379 10.0.0.2 6380', 'redis://s1:26379');
  assert.deepEqual(passed.map(([address]) => address), ['10.0.0.2:6380', '10.0.0.1:6379', '10.0.0.2:6380']);
});

test("the Sentinel endpoint tells its connections of a switch and keeps the master's URL", () => {
  const endpoint = sentinelEndpoint(['redis://s1:26379'], 'game');
  const told = [];
  endpoint.onMove((url) => told.push(url));
  endpoint.onMove(() => told.push('second'));
  assert.equal(endpoint.announced, null);
  endpoint.announce('redis://10.0.0.2:6380');
  assert.equal(endpoint.announced, 'redis://10.0.0.2:6380');
  assert.deepEqual(told, ['redis://10.0.0.2:6380', 'second']);
});

test('two URLs are the same address when host and port are', () => {
  assert.equal(sameAddress('redis://127.0.0.1:6380', 'redis://u:p@127.0.0.1:6380/2'), true);
  assert.equal(sameAddress('redis://127.0.0.1:6380', 'redis://127.0.0.1:6379'), false);
  assert.equal(sameAddress('redis://127.0.0.1:6380', null), false);
  assert.equal(sameAddress(null, null), false);
});

test('with no Sentinel to listen to, start rejects naming why', async () => {
  const switches = new MasterSwitches(['redis://127.0.0.1:1'], 'game', () => {});
  await assert.rejects(switches.start(), /no Sentinel could be listened to for '\+switch-master'/);
});
