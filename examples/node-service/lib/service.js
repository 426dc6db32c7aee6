// The service: subscribes to the action channels and plays each action with Redis reads, writes and
// publications. It never talks to the gateway directly. One Redis server, a Redis Cluster or Sentinel's master
// (lib/redis.js); replies with PUBLISH or, for a gateway with sharded Pub/Sub, SPUBLISH. Actions come on the classic
// channels <prefix><model> (SUBSCRIBE) or, for a gateway with routing.actionChannels N > 0, on the sharded channels
// <prefix><model>:<n> (SSUBSCRIBE), handled alike.
import { createClient } from 'redis';
import * as game from './game.js';
import { log } from './log.js';
import {
  backoff, ClusterCommands, clusterEndpoints, FollowingConnection, fixedEndpoint, masterUrl, OneNodePublisher, quit,
  sentinelEndpoint, ShardedSubscribers,
} from './redis.js';
import { MasterSwitches } from './sentinels.js';

export { MIN_BACKOFF_MS, MAX_BACKOFF_MS } from './redis.js';

/**
 * One game service. start() resolves once Redis confirmed the subscription and rejects when Redis cannot be
 * reached now; after that, a lost connection is reconnected (100 ms, 200 ms, ... up to 5 s apart) and the
 * channels are subscribed again. Actions of one player (token) are played in arrival order; different
 * players' concurrently.
 *
 * Where: `redisUrl` (one server); or `redisCluster` (some nodes of a cluster: commands go to their key's master,
 * classic publications over one node's connection, the subscription on one node, the next one when it fails); or
 * `redisSentinels` and `redisMasterName` (commands and the subscription on the master the Sentinels name, asked
 * again whenever a connection to it is lost, and moved at once to the master they announce on `+switch-master`).
 * `shardedPubSub`: replies with SPUBLISH. `actionChannels` N > 0: the actions are SSUBSCRIBEd on <prefix><model>:0 ..
 * <prefix><model>:<N-1>, on the one server or Sentinel's master (the subscriber's connection, one SSUBSCRIBE per
 * channel), or on a cluster on each channel's master (ShardedSubscribers: one connection per master, planned anew
 * when one is lost or a slot moves).
 */
export class GameService {
  constructor(options) {
    this.options = options;
    this.step = options.step;
    this.sharded = (options.actionChannels ?? 0) > 0;
    this.channels = game.actionChannels(options.actionChannelPrefix, options.actionChannels ?? 0);
    this.counters = { processed: 0, failed: 0, malformed: 0 };
    this.tails = new Map();
    this.started = false;
    this.closers = [];
  }

  async start() {
    const o = this.options;
    const running = () => this.started;
    // fail fast at start (like the Java service); back off and retry forever once running
    const reconnectStrategy = (retries, cause) => this.started ? backoff(retries)
      : new Error(`cannot reach Redis (${game.describeRedis(o)}): ${cause?.message ?? cause}`);
    const watch = (name, client) => {
      client.on('error', (e) => this.started && log.warn(`[redis: ${name}] ${e.message}`));
      client.on('reconnecting', () => this.started && log.warn(`[redis: ${name}] connection lost, reconnecting`));
      client.on('ready', () => this.started && log.info(`[redis: ${name}] connected again`));
      return client;
    };
    let endpoint;
    try {
      if (o.redisCluster.length > 0) {
        // each command to the master of its key's slot; no command spans two keys
        const cluster = new ClusterCommands(o.redisCluster, running);
        this.closers.push(() => cluster.close());
        await cluster.start();
        this.commands = () => cluster.client;
        this.commandFailed = (e) => cluster.failed(e);
        endpoint = clusterEndpoints(o.redisCluster);
        if (!o.shardedPubSub) {
          const publisher = new OneNodePublisher(o.redisCluster, running);
          this.closers.push(() => publisher.close());
          await publisher.start();
          this.classicPublish = (channel, message) => publisher.publish(channel, message);
        }
      } else if (o.redisSentinels.length > 0) {
        endpoint = sentinelEndpoint(o.redisSentinels, o.redisMasterName);
        // a master failed over by hand stays up as one until demoted, ~10 s later: its connections (commands and
        // subscriber, made through the endpoint) leave it as soon as a Sentinel announces the switch
        const switches = new MasterSwitches(o.redisSentinels, o.redisMasterName,
          (s, sentinelUrl) => endpoint.announce(masterUrl(sentinelUrl, s.newHost, String(s.newPort))));
        this.closers.push(() => switches.close());
        await switches.start();
        const master = new FollowingConnection('commands', endpoint);
        this.closers.push(() => master.close());
        await master.start();
        this.commands = () => master.require();
      } else {
        const client = watch('commands', createClient({ url: o.redisUrl, socket: { reconnectStrategy } }));
        this.closers.push(() => quit(client));
        await client.connect();
        this.commands = () => client;
        endpoint = fixedEndpoint(o.redisUrl);
      }
      this.classicPublish ??= (channel, message) => this.commands().publish(channel, message);
      const onMessage = (message, channel) => this.onAction(channel, message);
      if (this.sharded && o.redisCluster.length > 0) {
        // each sharded channel lives on the master of its slot: one connection per master
        const sharded = new ShardedSubscribers(o.redisCluster, this.channels, onMessage, running);
        this.closers.push(() => sharded.close());
        await sharded.start();
        this.where = `their masters (${sharded.describe()})`;
      } else {
        // the subscription on a dedicated connection (classic channels also on a cluster, on one of its nodes)
        const subscriber = new FollowingConnection('subscriber', endpoint,
          (client) => (this.sharded ? this.sSubscribe(client, onMessage) : client.subscribe(this.channels, onMessage)));
        this.closers.push(() => subscriber.close());
        await subscriber.start();
        this.subscriber = subscriber;
        this.where = subscriber.url;
      }
    } catch (e) {
      await this.close();
      throw e;
    }
    this.started = true;
    const channels = this.sharded ? `${this.channels.length} sharded action channels `
      + `(${game.MODELS.map((m) => game.shardedActionChannel(o.actionChannelPrefix, m, `0..${o.actionChannels - 1}`))
        .join(', ')})` : JSON.stringify(this.channels);
    log.info(`subscribed to ${channels} on ${this.where} [redis: ${game.describeRedis(o)}, step: ${this.step}]`);
  }

  /**
   * One SSUBSCRIBE per channel (pipelined) on the one server or Sentinel's master. Should Redis drop one by itself
   * (sunsubscribe: on a cluster, its slot moved; not expected here), it is subscribed again on the same connection.
   */
  async sSubscribe(client, onMessage) {
    client.on('sharded-channel-moved', (channel) => setImmediate(() => { // not from within node-redis's decoder
      log.warn(`[redis: subscriber] Redis dropped ${channel}: subscribing to it again`);
      client.sSubscribe(channel, onMessage).catch((e) => log.warn(`[redis: subscriber] ${channel} not subscribed `
        + `again (${e.message})`));
    }));
    await Promise.all(this.channels.map((channel) => client.sSubscribe(channel, onMessage)));
  }

  /** Waits (at most timeoutMs) for the actions in progress, then closes its connections. */
  async stop(timeoutMs = 5_000) {
    this.started = false;
    await Promise.race([
      Promise.allSettled([...this.tails.values()]),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    await this.close();
    const { processed, failed } = this.counters;
    log.info(`example game service stopped [processed: ${processed}, failed: ${failed}]`);
  }

  async close() {
    const closers = this.closers.reverse();
    this.closers = [];
    await Promise.allSettled(closers.map(async (close) => close()));
  }

  onAction(channel, payload) {
    let envelope;
    try {
      envelope = game.parseEnvelope(payload);
    } catch (e) {
      if (!(e instanceof game.MalformedEnvelopeError)) {
        throw e;
      }
      this.counters.malformed++;
      this.counters.failed++;
      log.warn(`[channel: ${channel}] malformed envelope dropped: ${e.message}`);
      return;
    }
    log.debug(`[token: ${envelope.token}, action: ${envelope.action}] received`);
    this.inOrder(envelope.token, () => this.handle(envelope)).then(
      () => { this.counters.processed++; },
      (e) => {
        this.counters.failed++;
        this.commandFailed?.(e);
        log.warn(`[token: ${envelope.token}, action: ${envelope.action}] failed: ${e.message}`);
      });
  }

  /** Runs work after the previous work of the same token finished, so one player's moves do not race. */
  inOrder(token, work) {
    const previous = this.tails.get(token) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.tails.set(token, next);
    const forget = () => {
      if (this.tails.get(token) === next) {
        this.tails.delete(token);
      }
    };
    next.then(forget, forget);
    return next;
  }

  /** Plays one action; an action this service does not know is answered with an error to the player. */
  async handle(e) {
    if (e.model === 'api' && e.method === 'load') {
      return this.load(e);
    }
    if (e.model === 'api' && e.method === 'save') {
      return this.publish(game.tokenChannel(e.token), game.replies.saved());
    }
    if (e.model === 'move') {
      const dir = game.direction(e.method);
      if (dir) {
        return this.move(e, dir);
      }
    }
    return this.publish(game.tokenChannel(e.token), game.replies.error(`unknown action ${e.action}`));
  }

  /** Replies with every player on the map, then tells the map the player joined. */
  async load(e) {
    const geoSet = game.mapGeoSet(e.map);
    const redis = this.commands();
    const tokens = await redis.zRange(geoSet, 0, -1);
    const players = [];
    let own = game.ORIGIN;
    if (tokens.length > 0) {
      // one command per key, sent together: one server's client pipelines them in one write, a cluster client
      // sends each to its key's master (the players' hashes live on any of them; no command spans two slots)
      const [positions, ...fields] = await Promise.all([
        redis.geoPos(geoSet, tokens),
        ...tokens.map((token) => redis.hmGet(token, [game.F_ID, game.F_ACTION])),
      ]);
      tokens.forEach((token, i) => {
        const position = game.geoPosition(positions[i]);
        if (token === e.token) {
          own = position;
        }
        const [id, action] = fields[i];
        if (id == null) {
          return; // left, not yet cleaned up
        }
        players.push(game.playerState(id, action == null || action === '' ? game.IDLE : action, position));
      });
    }
    await this.publish(game.tokenChannel(e.token), game.replies.load(players));
    await this.publish(game.mapChannel(e.map),
      game.replies.playersUpdate([game.playerState(e.player, game.IDLE, own)]));
  }

  /** One step from the stored position (the origin when there is none), stored, then shown to the map. */
  async move(e, dir) {
    const geoSet = game.mapGeoSet(e.map);
    const redis = this.commands();
    const [from] = await redis.geoPos(geoSet, e.token);
    const to = game.step(game.geoPosition(from), dir, this.step);
    await redis.geoAdd(geoSet, { longitude: to.x, latitude: to.y, member: e.token });
    await this.publish(game.mapChannel(e.map),
      game.replies.playersUpdate([game.playerState(e.player, game.moveActionName(e.method), to)]));
  }

  /**
   * SPUBLISH with sharded Pub/Sub (a cluster client sends it to the channel's shard); else PUBLISH, on a cluster over
   * one node's connection so that a channel's messages arrive in the order sent.
   */
  publish(channel, payload) {
    const message = JSON.stringify(payload);
    return this.options.shardedPubSub ? this.commands().sPublish(channel, message)
      : this.classicPublish(channel, message);
  }
}
