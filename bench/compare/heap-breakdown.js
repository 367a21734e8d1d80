'use strict';
// Where a JVM's idle connections keep their memory: the difference of two class histograms (`jcmd PID
// GC.class_histogram`, live objects after a full GC, as load.js --histograms saves them), per connection,
// grouped by who allocates it, with the largest classes.
//   node heap-breakdown.js BEFORE.txt AFTER.txt CONNECTIONS [TOP]
const fs = require('fs');

const [beforeFile, afterFile, connections, top] = process.argv.slice(2);
const n = Number(connections);
const read = (file) => {
  const classes = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/.exec(line);
    if (m) classes.set(m[3], { count: Number(m[1]), bytes: Number(m[2]) });
  }
  return classes;
};
// owners by class name prefix; arrays, strings and JDK collections are shared by all of them and listed apart
const OWNERS = [
  ['Grizzly and Catalina (the connection; on Payara also the HTTP exchange the servlet upgrade keeps)', /^(org\.glassfish\.grizzly|org\.apache\.catalina|com\.sun\.enterprise\.web|org\.glassfish\.web)/],
  ['CDI (Weld) creating each endpoint, encoder and decoder', /^(org\.jboss\.weld|org\.glassfish\.weld|org\.glassfish\.tyrus\.gf\.cdi|java\.lang\.reflect)/],
  ['Tyrus (the WebSocket session)', /^org\.glassfish\.tyrus/],
  ['Parley', /^dev\.parley/],
  ['NIO sockets', /^(sun\.nio|java\.nio)/],
  ['arrays, strings and JDK collections (any owner)', /./],
];
const before = read(beforeFile);
const after = read(afterFile);
const deltas = [...after].map(([name, a]) => {
  const b = before.get(name) || { count: 0, bytes: 0 };
  return { name, bytes: (a.bytes - b.bytes) / n, count: (a.count - b.count) / n };
}).filter((d) => d.bytes > 0);
const groups = new Map(OWNERS.map(([owner]) => [owner, 0]));
for (const d of deltas) {
  const [owner] = OWNERS.find(([, re]) => re.test(d.name.replace(/^\[+L?/, '')));
  groups.set(owner, groups.get(owner) + d.bytes);
}
const total = deltas.reduce((s, d) => s + d.bytes, 0);
const kb = (b) => (b / 1024).toFixed(2);
console.log(`| who | KB per connection | share |\n|---|---:|---:|`);
for (const [owner, bytes] of [...groups].sort((x, y) => y[1] - x[1])) {
  console.log(`| ${owner} | ${kb(bytes)} | ${Math.round((bytes / total) * 100)} % |`);
}
console.log(`| all live objects | ${kb(total)} | 100 % |\n`);
console.log(`| class | bytes per connection | objects per connection |\n|---|---:|---:|`);
for (const d of deltas.sort((x, y) => y.bytes - x.bytes).slice(0, Number(top || 20))) {
  console.log(`| \`${d.name}\` | ${Math.round(d.bytes)} | ${d.count.toFixed(2)} |`);
}
