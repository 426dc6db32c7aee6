// The service: subscribes to the action channels and plays each action with Redis reads, writes and
// publications. It never talks to the gateway directly.
import { createClient } from 'redis';
import * as game from './game.js';
import { log } from './log.js';

export const MIN_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 5_000;

/**
 * One game service. start() resolves once Redis confirmed the subscription and rejects when Redis cannot be
 * reached now; after that, a lost connection is reconnected (100 ms, 200 ms, ... up to 5 s apart) and the
 * channels are subscribed again. Actions of one player (token) are played in arrival order; different
 * players' concurrently.
 */
export class GameService {
  constructor({ redisUrl, actionChannelPrefix, step }) {
    this.redisUrl = redisUrl;
    this.step = step;
    this.channels = game.MODELS.map((model) => game.actionChannel(actionChannelPrefix, model));
    this.counters = { processed: 0, failed: 0, malformed: 0 };
    this.tails = new Map();
    this.started = false;
  }

  async start() {
    const options = {
      url: this.redisUrl,
      socket: {
        // fail fast at start (like the Java service); back off and retry forever once running
        reconnectStrategy: (retries, cause) => this.started
          ? Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.min(retries, 6))
          : new Error(`cannot reach Redis at ${this.redisUrl}: ${cause?.message ?? cause}`),
      },
    };
    // commands and publications on one connection, the subscription on a dedicated one
    this.redis = createClient(options);
    this.subscriber = this.redis.duplicate();
    for (const [name, client] of [['commands', this.redis], ['subscriber', this.subscriber]]) {
      client.on('error', (e) => {
        if (this.started) {
          log.warn(`[redis: ${name}] ${e.message}`);
        }
      });
      client.on('reconnecting', () => this.started && log.warn(`[redis: ${name}] connection lost, reconnecting`));
      client.on('ready', () => this.started && log.info(`[redis: ${name}] connected again`));
    }
    try {
      await this.redis.connect();
      await this.subscriber.connect();
      await this.subscriber.subscribe(this.channels, (message, channel) => this.onAction(channel, message));
    } catch (e) {
      await this.close();
      throw e;
    }
    this.started = true;
    log.info(`subscribed to ${JSON.stringify(this.channels)} [redis: ${this.redisUrl}, step: ${this.step}]`);
  }

  /** Waits (at most timeoutMs) for the actions in progress, then closes both connections. */
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
    await Promise.allSettled([this.subscriber, this.redis]
      .filter((c) => c?.isOpen)
      .map((c) => c.quit().catch(() => c.disconnect())));
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
    const tokens = await this.redis.zRange(geoSet, 0, -1);
    const players = [];
    let own = game.ORIGIN;
    if (tokens.length > 0) {
      // sent together, in one write (node-redis pipelines commands issued in the same tick)
      const [positions, ...fields] = await Promise.all([
        this.redis.geoPos(geoSet, tokens),
        ...tokens.map((token) => this.redis.hmGet(token, [game.F_ID, game.F_ACTION])),
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
    const [from] = await this.redis.geoPos(geoSet, e.token);
    const to = game.step(game.geoPosition(from), dir, this.step);
    await this.redis.geoAdd(geoSet, { longitude: to.x, latitude: to.y, member: e.token });
    await this.publish(game.mapChannel(e.map),
      game.replies.playersUpdate([game.playerState(e.player, game.moveActionName(e.method), to)]));
  }

  publish(channel, payload) {
    return this.redis.publish(channel, JSON.stringify(payload));
  }
}
