// The 2021 game's rules and message shapes, as pure functions (no Redis here): the same ones as the Java
// example service (examples/java-service: Envelope, Moves, Replies, PlayerState, GameChannels).

/** Channel and key names of the gateway's service contract (README, "Service contract"). */
export const DEFAULT_ACTION_CHANNEL_PREFIX = 'action:';
export const TOKEN_CHANNEL_PREFIX = 'token:';
export const MAP_PREFIX = 'map:';
/** Player hash fields this service reads; the hash's key is the token itself. */
export const F_ID = 'id';
export const F_ACTION = 'action';

/** The models this service plays; it subscribes to their action channels only. */
export const MODELS = ['api', 'move'];

export const DEFAULT_STEP = 0.5;
/** Largest |x| (longitude) a position may have. */
export const MAX_X = 180;
/** Largest |y| (latitude) a position may have; Redis GEO refuses more than 85.05112878. */
export const MAX_Y = 85;
export const IDLE = 'idle';
export const ORIGIN = Object.freeze({ x: 0, y: 0 });

export const actionChannel = (prefix, model) => prefix + model;
/** One of a model's N sharded action channels (the gateway's routing.actionChannels N > 0), n in 0..N-1. */
export const shardedActionChannel = (prefix, model, n) => `${prefix}${model}:${n}`;

/** The gateway's routing.actionChannels: 0 (the default) classic action channels, else 1 to 16384 per model. */
export const DEFAULT_ACTION_CHANNELS = 0;
export const MAX_ACTION_CHANNELS = 16_384;

/**
 * The action channels to subscribe to, model by model (MODELS): with n 0, <prefix><model> (SUBSCRIBE); with n > 0,
 * <prefix><model>:0 .. <prefix><model>:<n-1> (SSUBSCRIBE), where the gateway SPUBLISHes each action on the one its
 * player's token picks.
 */
export function actionChannels(prefix, n) {
  return MODELS.flatMap((model) => (n === 0 ? [actionChannel(prefix, model)]
    : Array.from({ length: n }, (_, i) => shardedActionChannel(prefix, model, i))));
}
export const tokenChannel = (token) => TOKEN_CHANNEL_PREFIX + token;
/** The map's channel; the map's GEO set of online tokens has the same name (keys and channels do not clash). */
export const mapChannel = (mapId) => MAP_PREFIX + mapId;
export const mapGeoSet = (mapId) => MAP_PREFIX + mapId;

/** The four directions of move/<method>: [dx, dy]. */
const DIRECTIONS = { up: [0, 1], down: [0, -1], left: [-1, 0], right: [1, 0] };

/** Thrown by parseEnvelope for a payload that is not a valid action envelope. */
export class MalformedEnvelopeError extends Error {}

/**
 * Parses one action as the gateway publishes it on <prefix><model>:
 * {"player":"5","map":"1","token":"1A2B...","model":"move","method":"up","action":"move/up","data":{...},...}.
 * model and method come from their fields or, when absent, from action (a missing part defaults to api / index).
 * Throws MalformedEnvelopeError when it is not a JSON object, or player, map, token or the action are missing
 * or of the wrong type.
 */
export function parseEnvelope(payload) {
  let json;
  try {
    json = JSON.parse(payload);
  } catch {
    throw new MalformedEnvelopeError('not a JSON object');
  }
  if (!isObject(json)) {
    throw new MalformedEnvelopeError('not a JSON object');
  }
  const player = id(json, 'player');
  const map = id(json, 'map');
  const token = text(json, 'token', true);
  let model = text(json, 'model', false);
  let method = text(json, 'method', false);
  let action = text(json, 'action', false);
  if (model == null || method == null) {
    if (action == null) {
      throw new MalformedEnvelopeError("no 'action' and no 'model'/'method'");
    }
    const slash = action.indexOf('/');
    const head = slash < 0 ? action : action.substring(0, slash);
    const tail = slash < 0 ? '' : action.substring(slash + 1);
    model = model ?? (head === '' ? 'api' : head);
    method = method ?? (tail === '' ? 'index' : tail);
  }
  if (action == null) {
    action = `${model}/${method}`;
  }
  if (json.data != null && !isObject(json.data)) {
    throw new MalformedEnvelopeError("'data' is not a JSON object");
  }
  if (json.ts != null && typeof json.ts !== 'number') {
    throw new MalformedEnvelopeError("'ts' is not a number");
  }
  return { player, map, token, model, method, action, data: json.data ?? {} };
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A required id: a non-blank string, or an integral number. */
function id(json, key) {
  const value = json[key];
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw new MalformedEnvelopeError(`'${key}' is not an integer: ${value}`);
    }
    return BigInt(value).toString();
  }
  if (value == null) {
    throw new MalformedEnvelopeError(`no '${key}'`);
  }
  return text(json, key, true);
}

function text(json, key, required) {
  const value = json[key];
  if (value == null) {
    if (required) {
      throw new MalformedEnvelopeError(`no '${key}'`);
    }
    return null;
  }
  if (typeof value !== 'string') {
    throw new MalformedEnvelopeError(`'${key}' is not a string`);
  }
  if (value.trim() === '') {
    if (required) {
      throw new MalformedEnvelopeError(`'${key}' is blank`);
    }
    return null;
  }
  return value;
}

/** The direction [dx, dy] a move method names (up, down, left, right), or undefined. */
export function direction(method) {
  return Object.hasOwn(DIRECTIONS, method) ? DIRECTIONS[method] : undefined;
}

/** The player action shown to clients for a move method, e.g. move_up. */
export const moveActionName = (method) => `move_${method}`;

/** Rounded half up to 2 decimals; never -0. */
export function round2(v) {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? 0 : r;
}

const clamp = (v, max) => Math.max(-max, Math.min(max, v));

/** The position clamped to |x| <= MAX_X, |y| <= MAX_Y and rounded to 2 decimals. */
export function normalize(p) {
  return { x: round2(clamp(p.x, MAX_X)), y: round2(clamp(p.y, MAX_Y)) };
}

/** `from` moved one `step` towards [dx, dy], clamped to the GEO range, to 2 decimals. */
export function step(from, [dx, dy], stepSize) {
  return normalize({ x: from.x + dx * stepSize, y: from.y + dy * stepSize });
}

/** A GEOPOS entry ({longitude, latitude} strings, or null) as a normalized position; the origin when absent. */
export function geoPosition(entry) {
  if (entry == null) {
    return ORIGIN;
  }
  return normalize({ x: Number(entry.longitude), y: Number(entry.latitude) });
}

/** The id as clients expect it: a number when raw is a canonical integer, else the string. */
export function idValue(raw) {
  if (/^-?(0|[1-9][0-9]{0,17})$/.test(raw)) {
    const n = Number(raw);
    if (Number.isSafeInteger(n)) {
      return n;
    }
  }
  return raw;
}

/** A player as the clients see it: {"id":5,"action":"idle","position":[1.5,2]}. */
export function playerState(idRaw, action, position) {
  return { id: idValue(idRaw), action, position: [position.x, position.y] };
}

/** The payloads this service publishes; see README for where each goes. */
export const replies = {
  load: (players) => ({ action: 'load', players, enemys: [], objects: [], map: { data: '' } }),
  saved: () => ({ action: 'save', ok: true }),
  playersUpdate: (players) => ({ players }),
  error: (textValue) => ({ error: textValue }),
};

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_REDIS_MASTER_NAME = 'mymaster';

/**
 * Reads the settings from the environment: REDIS_URL, ACTION_CHANNEL_PREFIX, STEP (and the Redis URL as the
 * first argument, which beats REDIS_URL); past one Redis, REDIS_CLUSTER (some nodes of a Redis Cluster,
 * comma-separated redis:// URLs; REDIS_URL is then not used) or REDIS_SENTINELS (the Sentinels, likewise) and
 * REDIS_MASTER_NAME (default mymaster), SHARDED_PUBSUB (true: replies with SPUBLISH) and ACTION_CHANNELS (the
 * gateway's routing.actionChannels: 0, the default, or N up to 16384 sharded action channels per model). Throws an
 * Error naming the setting when a value is bad.
 */
export function settings(env, argv = []) {
  const redisUrl = argv[0] ?? env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (redisUrl.trim() === '') {
    throw new Error("setting 'REDIS_URL' must not be blank");
  }
  const actionChannelPrefix = env.ACTION_CHANNEL_PREFIX ?? DEFAULT_ACTION_CHANNEL_PREFIX;
  if (actionChannelPrefix === '') {
    throw new Error("setting 'ACTION_CHANNEL_PREFIX' must not be empty");
  }
  const rawStep = env.STEP ?? String(DEFAULT_STEP);
  const stepSize = rawStep.trim() === '' ? NaN : Number(rawStep);
  if (!(stepSize > 0 && stepSize <= 360)) {
    throw new Error(`setting 'STEP' must be > 0 and <= 360, got: ${rawStep}`);
  }
  const redisCluster = urls(env, 'REDIS_CLUSTER');
  const redisSentinels = urls(env, 'REDIS_SENTINELS');
  if (redisCluster.length > 0 && redisSentinels.length > 0) {
    throw new Error("settings 'REDIS_CLUSTER' and 'REDIS_SENTINELS' exclude each other: set one");
  }
  const redisMasterName = env.REDIS_MASTER_NAME ?? DEFAULT_REDIS_MASTER_NAME;
  if (redisMasterName.trim() === '') {
    throw new Error("setting 'REDIS_MASTER_NAME' must not be blank");
  }
  const rawSharded = (env.SHARDED_PUBSUB ?? 'false').trim().toLowerCase();
  if (rawSharded !== 'true' && rawSharded !== 'false') {
    throw new Error(`setting 'SHARDED_PUBSUB' must be true or false, got: ${env.SHARDED_PUBSUB}`);
  }
  const rawChannels = env.ACTION_CHANNELS ?? String(DEFAULT_ACTION_CHANNELS);
  if (!/^\s*\d+\s*$/.test(rawChannels) || Number(rawChannels) > MAX_ACTION_CHANNELS) {
    throw new Error(`setting 'ACTION_CHANNELS' must be a whole number from 0 to ${MAX_ACTION_CHANNELS}, `
      + `got: ${rawChannels}`);
  }
  return {
    redisUrl, actionChannelPrefix, step: stepSize, redisCluster, redisSentinels, redisMasterName,
    shardedPubSub: rawSharded === 'true', actionChannels: Number(rawChannels),
  };
}

/** A comma-separated list of redis:// (or rediss://) URLs; absent or blank: none. */
function urls(env, name) {
  const raw = env[name] ?? '';
  const list = raw.split(',').map((u) => u.trim()).filter((u) => u !== '');
  for (const url of list) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (parsed == null || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.hostname === '') {
      throw new Error(`setting '${name}' must be comma-separated redis:// URLs, got: ${raw}`);
    }
  }
  return list;
}

/** Which Redis the settings name, for log lines. */
export function describeRedis(o) {
  const mode = (o.shardedPubSub ? ', sharded Pub/Sub' : '')
    + (o.actionChannels > 0 ? `, ${o.actionChannels} sharded action channels per model` : '');
  if (o.redisCluster.length > 0) {
    return `cluster ${o.redisCluster.join(',')}${mode}`;
  }
  if (o.redisSentinels.length > 0) {
    return `sentinel master '${o.redisMasterName}' via ${o.redisSentinels.join(',')}${mode}`;
  }
  return o.redisUrl + mode;
}
