// Hears the Sentinels announce a new master (`+switch-master` on each Sentinel's own Pub/Sub), like the Java example
// service's MasterSwitches and the gateway's SentinelWatch. A service behind Sentinel needs it: a master failed over
// by hand (SENTINEL FAILOVER) stays up as a master for about ten seconds, until the Sentinels demote it and close its
// clients' connections, and connections still there meanwhile hear none of the actions the gateway publishes on the
// new master, and what they write there is lost when the old master resynchronises.
import { fixedEndpoint, FollowingConnection } from './redis.js';
import { log } from './log.js';

/** The Sentinel channel announcing a master's new address. */
export const SWITCH_MASTER = '+switch-master';

/**
 * Reads a `+switch-master` message, `<master-name> <old-ip> <old-port> <new-ip> <new-port>`:
 * { masterName, oldHost, oldPort, newHost, newPort } (ports as numbers), or null when it is not one.
 */
export function parseSwitch(message) {
  const parts = String(message).trim().split(/\s+/);
  if (parts.length !== 5) {
    return null;
  }
  const [masterName, oldHost, oldPort, newHost, newPort] = parts;
  const port = (p) => (/^\d{1,5}$/.test(p) && Number(p) <= 65_535 ? Number(p) : NaN);
  if (Number.isNaN(port(oldPort)) || Number.isNaN(port(newPort))) {
    return null;
  }
  return { masterName, oldHost, oldPort: port(oldPort), newHost, newPort: port(newPort) };
}

/**
 * One connection to each Sentinel (its own, reconnecting as the service's do), subscribed to `+switch-master`: the
 * failover's leader announces the switch first, the others when they learn of it, up to ~2 s later. Each switch of
 * `masterName` is passed on once, to onSwitch(switch, sentinelUrl) (the URL of the Sentinel that announced it first,
 * whose credentials and database the master's URL keeps), however many Sentinels announce it: a switch to the
 * address passed on last is not passed on again.
 */
export class MasterSwitches {
  constructor(sentinels, masterName, onSwitch) {
    this.masterName = masterName;
    this.onSwitch = onSwitch;
    /** `host:port` of the master passed on last. */
    this.last = null;
    this.connections = sentinels.map((url) => new FollowingConnection('sentinel', fixedEndpoint(url),
      (client) => client.subscribe(SWITCH_MASTER, (message) => this.announced(message, url))));
  }

  /**
   * Resolves once subscribed on one Sentinel at least; a Sentinel that cannot be reached now is tried again in the
   * background. Rejects (and closes) when none can be reached now.
   */
  async start() {
    try {
      await Promise.any(this.connections.map((c) => c.start().catch((e) => {
        c.retry();
        throw e;
      })));
    } catch (e) {
      await this.close();
      const why = (e.errors ?? [e]).map((err) => err.message).join('; ');
      throw new Error(`no Sentinel could be listened to for '${SWITCH_MASTER}' (${why})`);
    }
  }

  /** What one Sentinel announced; passed on when it is a new address of our master. */
  announced(message, sentinelUrl) {
    const s = parseSwitch(message);
    if (s == null) {
      log.warn(`[redis: sentinels] a switch that does not read as one: ${message}`);
      return;
    }
    const address = `${s.newHost}:${s.newPort}`;
    if (s.masterName !== this.masterName || address === this.last) {
      return;
    }
    this.last = address;
    log.warn(`[redis: sentinels] master ${s.masterName} moved from ${s.oldHost}:${s.oldPort} to ${address}`);
    this.onSwitch(s, sentinelUrl);
  }

  async close() {
    await Promise.allSettled(this.connections.map((c) => c.close()));
  }
}
