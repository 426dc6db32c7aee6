'use strict';
// Prints the figures of against-nodejs.sh's runs (seed-bench --json files, named ...-<n>-ours.json or
// ...-<n>-nodejs.json) and the ratios ours / Node.js of their medians. Usage: node vs-nodejs-summary.js FILE...
const fs = require('fs');

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && x >= 0).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kib = (b) => (b / 1024).toFixed(2);

// figure name -> [unit, how to read it from one run's JSON]
const figures = {
  connections: {
    'RSS per connection after GC (KiB)': (j) => kib(j.memory.rss_per_connection),
    'RSS per connection before GC (KiB)': (j) => kib(j.memory.rss_live_per_connection),
    'heap per connection after GC (KiB)': (j) => kib(j.memory.heap_per_connection),
    'direct/external per connection (KiB)': (j) => kib(j.memory.direct_per_connection),
    'RSS with 0 / N, after GC (MiB)': (j) => `${(j.memory.rss_before / 1048576).toFixed(1)} / ${(j.memory.rss_after / 1048576).toFixed(1)}`,
    'authenticated': (j) => j.authenticated,
    'lost': (j) => j.lost,
  },
  fanout: {
    'node CPU per delivery (us)': (j) => j.cpu_per_delivery.node_us,
    'load generator CPU per delivery (us)': (j) => j.cpu_per_delivery.bench_us,
    'every delivery p50 (us)': (j) => j.result.latency.p50_us,
    'every delivery p99 (us)': (j) => j.result.latency.p99_us,
    'missed': (j) => j.result.unanswered,
  },
  roundtrip: {
    'node CPU per round trip (us)': (j) => median(j.rounds.map((r) => r.gateway.cpu_per_round_trip?.node_us)),
    'round trips per s': (j) => median(j.rounds.map((r) => r.gateway.per_second)),
    'p50 (us)': (j) => median(j.rounds.map((r) => r.gateway.latency.p50_us)),
    'p99 (us)': (j) => median(j.rounds.map((r) => r.gateway.latency.p99_us)),
    'errors': (j) => j.rounds.reduce((n, r) => n + r.gateway.errors, 0),
  },
};

const runs = process.argv.slice(2).filter((f) => fs.existsSync(f)).map((f) => ({
  file: f, side: /-ours\.json$/.test(f) ? 'ours' : 'nodejs', json: JSON.parse(fs.readFileSync(f, 'utf8')),
}));
if (runs.length === 0) {
  console.log('no results');
  process.exit(1);
}
const scenario = runs[0].json.scenario;
const table = figures[scenario];
console.log(`| figure | ${runs.map((r, i) => `${i + 1}: ${r.side}`).join(' | ')} | ours / Node.js (medians) |`);
console.log(`|---|${runs.map(() => '---|').join('')}---|`);
for (const [name, read] of Object.entries(table)) {
  const values = runs.map((r) => {
    try { return read(r.json); } catch { return 'n/a'; }
  });
  const side = (s) => median(values.filter((_, i) => runs[i].side === s).map(Number));
  const ratio = side('ours') / side('nodejs');
  console.log(`| ${name} | ${values.join(' | ')} | ${Number.isFinite(ratio) ? ratio.toFixed(2) + 'x' : ''} |`);
}
