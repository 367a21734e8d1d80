'use strict';
// Turns the runs of bench/compare/run.sh into OUT.md (medians with min-max, ratios against each peer, the load
// generator's CPU) and OUT.png (gnuplot, when present): for each figure, how each server compares with Node ws.
//   node report.js RESULTS.jsonl OUT QUIET RUNS
const fs = require('fs');
const { execFileSync } = require('child_process');

const [file, out, quiet, runs, settings] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

// figure label -> [what it shows, the result field, unit, whether higher is better]
const FIGURES = [
  ['fanout', 'fan-out, 100 receivers, 1 sender, 200 in flight', 'deliveriesPerSec', 'deliveries/s', true],
  ['latency', 'delivery p99, 100 receivers, 10 in flight', 'p99', 'ms', false],
  ['rooms-1core', '10 rooms x 10 receivers, 10 senders, one core', 'deliveriesPerSec', 'deliveries/s', true],
  ['rooms-2cores', '10 rooms x 10 receivers, 10 senders, both cores', 'deliveriesPerSec', 'deliveries/s', true],
  ['connect', 'clients connecting into the default room (presence diffs), until all joined', 'seconds', 's', false],
  ['connect', 'server CPU per client connecting into the default room (presence diffs)', 'serverCpuMsPerConnect', 'ms', false],
  ['connect-v1', 'clients connecting into the default room (no diffs: v1 presence), until all joined', 'seconds', 's', false],
  ['connect-v1', 'server CPU per client connecting into the default room (v1 presence)', 'serverCpuMsPerConnect', 'ms', false],
  ['bigroom', 'clients in one room: until all joined', 'joinSeconds', 's', false],
  ['bigroom', 'clients in one room: server CPU until all joined', 'serverCpuSeconds', 's', false],
  ['bigroom', 'clients in one room: one message until all got it', 'deliverSeconds', 's', false],
  ['idle', 'server memory per idle connection (RSS growth)', 'kbPerConnection', 'KB', false],
  ['idle', 'live Java heap per idle connection (class histogram, after a full GC)', 'heapKbPerConnection', 'KB', false],
  ['idle', 'idle connections opened and held (each welcomed)', 'clients', 'connections', true],
  ['idle', 'time to open them, 200 at a time', 'connectSeconds', 's', false],
  ['churn', 'connect, welcome, close loops (20 at once)', 'connectsPerSec', 'connects/s', true],
  ['churn', 'server CPU per connect, welcome, close (no room)', 'serverCpuMsPerConnect', 'ms', false],
  ['durable-postgres', 'durable acks, 100 senders in 100 rooms, PostgreSQL', 'acksPerSec', 'acks/s', true],
  ['durable-postgres', 'ack p99, PostgreSQL', 'ackP99', 'ms', false],
  ['durable-embedded', 'durable acks, 100 senders in 100 rooms, embedded store', 'acksPerSec', 'acks/s', true],
  ['durable-embedded', 'ack p99, embedded store', 'ackP99', 'ms', false],
  ['durable-postgres', 'acks per second of server CPU, PostgreSQL (the server process only)', 'acksPerServerCpuSecond', 'acks/CPU-s', true],
  ['durable-embedded', 'acks per second of server CPU, embedded store', 'acksPerServerCpuSecond', 'acks/CPU-s', true],
  ['durable-memory', 'acks, the same load on the in-memory store (ceiling without a database)', 'acksPerSec', 'acks/s', true],
  ['durable-memory', 'acks per second of server CPU, in-memory store', 'acksPerServerCpuSecond', 'acks/CPU-s', true],
  ['durable-memory', 'ack p99, in-memory store', 'ackP99', 'ms', false],
];
const NAMES = { parley: 'Parley (Payara Micro)', ws: 'Node ws', socketio: 'Socket.IO', tyrus: 'plain Tyrus',
  'parley-before': 'Parley, earlier build' };
const SERVERS = ['parley', 'ws', 'socketio', 'tyrus', 'parley-before'].filter((s) => rows.some((r) => r.server === s));

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x >= 100 ? Math.round(x).toLocaleString('en') : String(Math.round(x * 10) / 10));

function stats(label, server, field) {
  const rs = rows.filter((r) => r.label === label && r.server === server);
  const vals = rs.map((r) => r.result && r.result[field]).filter((v) => typeof v === 'number');
  const cpu = rs.map((r) => r.result && r.result.loadCpuPercent).filter((v) => typeof v === 'number');
  const serverCpu = rs.map((r) => r.result && r.result.serverCpuPercent).filter((v) => typeof v === 'number');
  const errors = rs.map((r) => r.result && r.result.error).filter(Boolean);
  if (!vals.length) return errors.length ? { error: errors[0] } : null;
  return { med: median(vals), min: Math.min(...vals), max: Math.max(...vals), n: vals.length, cpu: cpu.length ? median(cpu) : null,
    serverCpu: serverCpu.length ? median(serverCpu) : null };
}

let md = `# Parley against its peers, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n`;
md += `Command: \`bench/compare/run.sh\`. Each server pinned to core 0 (\`taskset -c 0\`), the Node load generator to core 1, `;
md += `except "both cores". Median of ${runs} runs after a warm-up run, (min-max). Machine quiet: ${quiet}.\n\n`;
md += `Settings: ${settings || '-'}.\n\n`;
md += `| figure | unit | ${SERVERS.map((s) => NAMES[s]).join(' | ')} | Parley / Node ws |\n`;
md += `|---|---|${SERVERS.map(() => '---:').join('|')}|---:|\n`;
const chart = [];
for (const [label, what, field, unit, higher] of FIGURES) {
  const cells = SERVERS.map((s) => stats(label, s, field));
  if (cells.every((c) => c === null)) continue;
  const [p, w] = [cells[SERVERS.indexOf('parley')], cells[SERVERS.indexOf('ws')]];
  const ratio = p && w && p.med !== undefined && w.med !== undefined && w.med ? p.med / w.med : null;
  const cell = (c) => (c === null ? '-' : c.error ? 'failed: ' + c.error
    : `${fmt(c.med)} (${fmt(c.min)}-${fmt(c.max)})${c.cpu === null ? '' : `, load ${c.cpu} %`}`
      + `${c.serverCpu === null ? '' : `, server ${c.serverCpu} %`}`);
  md += `| ${what} | ${unit} | ${cells.map(cell).join(' | ')} | `;
  md += `${ratio === null ? '-' : (Math.round(ratio * 100) / 100) + (higher ? ' (higher is better)' : ' (lower is better)')} |\n`;
  if (w && w.med) {
    // in the chart every bar is "how many times as good as Node ws": above 1 is better than the peer
    chart.push([what.replace(/"/g, ''), ...cells.map((c) => (c && c.med ? (higher ? c.med / w.med : w.med / c.med) : 0))]);
  }
}
md += `\nThe load generator is one Node process on its own core; "load N %" is its CPU time over its wall time in those `;
md += `runs (median). Near 100 %, the generator, not the server, limited the figure: the server could do more than shown. "server N %" (durable modes) is the server process's CPU over the measured window: 100 % is the one core it is pinned to.\n`;
fs.writeFileSync(out + '.md', md);

if (chart.length) {
  const dat = out + '.dat';
  fs.writeFileSync(dat, chart.map((r) => `"${r[0]}" ${r.slice(1).join(' ')}`).join('\n') + '\n');
  const gp = `set terminal pngcairo size 1300,${300 + 40 * chart.length} font "sans,10"
set output "${out}.png"
set title "Parley and its peers, relative to Node ws (1 = as good as Node ws; higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -30 left
set yrange [0:*]
set grid ytics
set key top right
set bmargin 12
plot ${SERVERS.map((s, i) => (i === 0 ? `"${dat}" using 2:xtic(1)` : `"" using ${i + 2}`) + ` title "${NAMES[s]}"`).join(', ')}
`;
  try {
    execFileSync('gnuplot', { input: gp });
    fs.appendFileSync(out + '.md', `\n![Parley and its peers](${out.split('/').pop()}.png)\n`);
  } catch (e) {
    fs.appendFileSync(out + '.md', `\n(no chart: gnuplot failed or is missing: ${e.message.split('\n')[0]})\n`);
  }
  fs.unlinkSync(dat);
}
console.log(fs.readFileSync(out + '.md', 'utf8'));
