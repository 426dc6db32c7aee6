// A failover by hand (SENTINEL FAILOVER) against real redis-server processes on loopback: a master, its replica and
// three Sentinels this test starts (and kills at the end); skipped where redis-server is not on the PATH. The old
// master stays up as a master for ~10 s after the switch: the service must have left it long before (so must one
// with sharded action channels, ACTION_CHANNELS, whose SSUBSCRIBE connection follows the switch alike).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from 'redis';
import { call, freePort, skipWithout, until } from './support/redis-processes.js';
import { FollowingConnection, sentinelEndpoint } from '../lib/redis.js';
import { MasterSwitches } from '../lib/sentinels.js';
import { GameService } from '../lib/service.js';
import { settings } from '../lib/game.js';

const MASTER_NAME = 'seed-node-test';
const skip = skipWithout('redis-server');

/** A flat [key, value, key, value, ...] reply (SENTINEL MASTER, REPLICAS' entries) as an object. */
const fields = (flat) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i],
  flat[2 * i + 1]]));

/** The port the server on the other end of a client listens on (INFO server's tcp_port). */
async function portOf(client) {
  return Number(/tcp_port:(\d+)/.exec(await client.info('server'))[1]);
}

test('a failover by hand is followed at once: connections move to the new master long before the old is demoted',
  { skip, timeout: 90_000 }, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-node-sentinel-'));
    const processes = [];
    const start = (name, args) => {
      const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
      processes.push(child);
      return child;
    };
    const closers = [];
    t.after(async () => {
      await Promise.allSettled(closers.reverse().map((close) => close()));
      await Promise.all(processes.map((child) => new Promise((resolve) => {
        if (child.exitCode != null || child.signalCode != null) {
          resolve();
          return;
        }
        child.once('exit', resolve);
        child.kill('SIGKILL');
      })));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const data = (port, ...more) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', dir, '--dbfilename', `dump-${port}.rdb`, '--repl-diskless-sync-delay', '0', ...more];
    const masterPort = await freePort();
    start('master', data(masterPort));
    const replicaPort = await freePort();
    start('replica', data(replicaPort, '--replicaof', '127.0.0.1', String(masterPort)));
    await until('the replica in sync', 20_000, async () => {
      const role = await call(replicaPort, 'ROLE');
      return role[3] === 'connected' ? null : `replica ${role[3]}`;
    });
    const sentinelPorts = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = path.join(dir, `sentinel-${port}.conf`); // a Sentinel rewrites its config: a file of its own
      fs.writeFileSync(conf, [
        `port ${port}`, 'bind 127.0.0.1', 'protected-mode no', `dir "${dir}"`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 3000`, '',
      ].join('\n'));
      start(`sentinel ${port}`, [conf, '--sentinel']);
      sentinelPorts.push(port);
    }
    await until('every Sentinel sees the master, its replica in sync and the other Sentinels', 30_000, async () => {
      for (const port of sentinelPorts) {
        const master = fields(await call(port, 'SENTINEL', 'MASTER', MASTER_NAME));
        if (master.flags !== 'master' || master.port !== String(masterPort)) {
          return `Sentinel ${port} sees ${master.port} as ${master.flags}`;
        }
        const replicas = (await call(port, 'SENTINEL', 'REPLICAS', MASTER_NAME)).map(fields)
          .filter((r) => r.flags === 'slave' && r['master-link-status'] === 'ok').map((r) => r.port);
        if (replicas.join() !== String(replicaPort)) {
          return `Sentinel ${port} sees the replicas ${replicas}`;
        }
        const others = await call(port, 'SENTINEL', 'SENTINELS', MASTER_NAME);
        if (others.length !== 2) {
          return `Sentinel ${port} sees ${others.length} other Sentinels`;
        }
      }
      return null;
    });
    const sentinels = sentinelPorts.map((port) => `redis://127.0.0.1:${port}`);

    // the module on its own: each switch reported once
    const reported = [];
    const switches = new MasterSwitches(sentinels, MASTER_NAME, (s, sentinel) => reported.push({ s, sentinel,
      at: Date.now() }));
    closers.push(() => switches.close());
    await switches.start();
    // a connection through an endpoint the switches move, as the service has
    const endpoint = sentinelEndpoint(sentinels, MASTER_NAME);
    const moved = new MasterSwitches(sentinels, MASTER_NAME,
      (s) => endpoint.announce(`redis://${s.newHost}:${s.newPort}`));
    closers.push(() => moved.close());
    await moved.start();
    const following = new FollowingConnection('test', endpoint);
    closers.push(() => following.close());
    await following.start();
    assert.equal(await portOf(following.require()), masterPort);
    // and the service itself
    const service = new GameService(settings({
      REDIS_SENTINELS: sentinels.join(','), REDIS_MASTER_NAME: MASTER_NAME, STEP: '1',
    }));
    closers.push(() => service.stop(1_000));
    await service.start();
    assert.equal(await portOf(service.commands()), masterPort);
    assert.equal(new URL(service.subscriber.url).port, String(masterPort));
    // and one with sharded action channels (the gateway's routing.actionChannels 2): SSUBSCRIBEd on the master too
    const sharded = new GameService(settings({
      REDIS_SENTINELS: sentinels.join(','), REDIS_MASTER_NAME: MASTER_NAME, STEP: '1', ACTION_CHANNELS: '2',
    }));
    closers.push(() => sharded.stop(1_000));
    await sharded.start();
    assert.equal(new URL(sharded.subscriber.url).port, String(masterPort));
    assert.deepEqual((await call(masterPort, 'PUBSUB', 'SHARDCHANNELS')).map(String).sort(),
      ['action:api:0', 'action:api:1', 'action:move:0', 'action:move:1']);

    const failoverAt = Date.now();
    await until('SENTINEL FAILOVER accepted', 10_000, async () => {
      try {
        await call(sentinelPorts[0], 'SENTINEL', 'FAILOVER', MASTER_NAME);
        return null;
      } catch (e) {
        return e.message; // e.g. NOGOODSLAVE while the Sentinel is not ready yet
      }
    });
    await until('the switch reported', 8_000, () => (reported.length > 0 ? null : 'none yet'));
    const announcedIn = reported[0].at - failoverAt;
    assert.equal(reported[0].s.masterName, MASTER_NAME);
    assert.equal(reported[0].s.oldPort, masterPort);
    assert.equal(reported[0].s.newPort, replicaPort);
    assert.equal(reported[0].s.newHost, '127.0.0.1');

    // every connection is on the new master at once
    await until('the connections on the new master', 2_000, async () => {
      const on = [await portOf(following.require()), await portOf(service.commands()),
        Number(new URL(service.subscriber.url).port), Number(new URL(sharded.subscriber.url).port)];
      return on.every((port) => port === replicaPort) ? null : `on ${on}`;
    });
    // a connection made now through the endpoint goes to the new master, which answers as one
    const fresh = new FollowingConnection('fresh', endpoint);
    closers.push(() => fresh.close());
    await fresh.start();
    assert.equal(await portOf(fresh.require()), replicaPort);
    assert.equal(String((await fresh.require().sendCommand(['ROLE']))[0]), 'master');
    // the service hears an action published on the new master, and answers there
    const listener = createClient({ url: `redis://127.0.0.1:${replicaPort}` });
    listener.on('error', () => {});
    closers.push(() => listener.disconnect().catch(() => {}));
    await listener.connect();
    const answers = [];
    await listener.subscribe('map:7', (message) => answers.push(JSON.parse(message)));
    await call(replicaPort, 'PUBLISH', 'action:move', JSON.stringify({
      player: '5', map: '7', token: 'T0K3N', model: 'move', method: 'up', action: 'move/up', data: {},
    }));
    await until('the move answered on the new master', 2_000, () => (answers.length > 0 ? null : 'no answer'));
    assert.deepEqual(answers[0], { players: [{ id: 5, action: 'move_up', position: [0, 1] }] });
    const doneIn = Date.now() - failoverAt;
    // all that while the old master still answered as one (what the switch is followed for), well before the
    // Sentinels demote it
    const oldRole = String((await call(masterPort, 'ROLE'))[0]);
    t.diagnostic(`switch announced ${announcedIn} ms after SENTINEL FAILOVER, all moved and a move answered on the `
      + `new master ${doneIn} ms after it; the old master's role then: ${oldRole}; `
      + `switches reported: ${reported.length}`);
    assert.ok(doneIn < 6_000, `moved ${doneIn} ms after the failover`);
    assert.equal(oldRole, 'master', 'the old master not demoted yet: the case the switch is followed for');
    // the sharded one hears an action SPUBLISHed on the new master
    assert.equal(Number(await call(replicaPort, 'SPUBLISH', 'action:move:1', JSON.stringify({
      player: '6', map: '7', token: 'SH4RD', model: 'move', method: 'down', action: 'move/down', data: {},
    }))), 1, 'the sharded subscription on the new master');
    await until('the sharded move answered on the new master', 2_000, () => (answers.length > 1 ? null : 'no answer'));
    assert.deepEqual(answers[1], { players: [{ id: 6, action: 'move_down', position: [0, -1] }] });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the other Sentinels' announcements
    assert.equal(reported.length, 1, 'the switch reported once, though every Sentinel announces it');
  });
