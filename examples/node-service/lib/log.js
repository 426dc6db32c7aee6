// Human-readable log lines on stdout, like the Java services': time, level, message.
// LOG_LEVEL=debug also logs every action.
const debugOn = (process.env.LOG_LEVEL ?? '').toLowerCase() === 'debug';

function line(level, message) {
  process.stdout.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
}

export const log = {
  debug: (m) => debugOn && line('DEBUG', m),
  info: (m) => line('INFO', m),
  warn: (m) => line('WARN', m),
  error: (m) => line('ERROR', m),
};
