// The 2021 game's api/load, api/save and move/* as a Node.js service for the seed gateway.
//   REDIS_URL=redis://127.0.0.1:6379 ACTION_CHANNEL_PREFIX=action: STEP=0.5 node index.js [redis-url]
//   REDIS_CLUSTER=redis://10.0.0.1:7000,redis://10.0.0.2:7000 [SHARDED_PUBSUB=true] node index.js
//   REDIS_SENTINELS=redis://10.0.0.1:26379,redis://10.0.0.2:26379 REDIS_MASTER_NAME=mymaster node index.js
//   ACTION_CHANNELS=8 ... node index.js   (the gateway's routing.actionChannels: SSUBSCRIBE <prefix><model>:0..7)
// Interchangeable with the Java example service (examples/java-service): run one of them per Redis.
import { describeRedis, settings } from './lib/game.js';
import { GameService } from './lib/service.js';
import { log } from './lib/log.js';

let options;
try {
  options = settings(process.env, process.argv.slice(2));
} catch (e) {
  log.error(`invalid configuration: ${e.message}`);
  process.exit(2);
}

const service = new GameService(options);
try {
  await service.start();
} catch (e) {
  log.error(`could not start [redis: ${describeRedis(options)}]: ${e.message}`);
  process.exit(1);
}
log.info('running; stop with Ctrl-C');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) {
      return;
    }
    stopping = true;
    service.stop().then(() => process.exit(0), (e) => {
      log.error(`stop failed: ${e.message}`);
      process.exit(1);
    });
  });
}
