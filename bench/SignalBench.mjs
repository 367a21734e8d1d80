// Signal latency: one sender passes signals to a room at a fixed rate; every receiver reads as they come and
// records, per signal, the time from send to receipt (one process, one clock). Node 20+:
//   node --experimental-websocket bench/SignalBench.mjs ws://127.0.0.1:PORT/chat RECEIVERS RATE SECONDS
// Prints one JSON line: delivered per receiver, in order or not, and latency percentiles in ms.
const [url, receivers = '2', rate = '2000', seconds = '5'] = process.argv.slice(2);
const room = 'bench-signals';

function open(name) {
    return new Promise((resolve, reject) => {
        const ws = new WebSocket(url + '?name=' + name, 'chat');
        ws.onerror = reject;
        ws.onmessage = (e) => {
            const f = JSON.parse(e.data);
            if (f.type === 'welcome') {
                ws.send(JSON.stringify({type: 'join', room}));
            } else if (f.type === 'joined' && f.room === room) {
                ws.onmessage = null;
                resolve(ws);
            }
        };
    });
}

const sender = await open('bench-sender');
const views = [];
for (let r = 0; r < Number(receivers); r++) {
    const ws = await open('bench-r' + r);
    const view = {latencies: [], last: -1, outOfOrder: 0};
    ws.onmessage = (e) => {
        const f = JSON.parse(e.data);
        if (f.type === 'signal') {
            view.latencies.push(performance.now() - f.data.t);
            if (f.data.i <= view.last) {
                view.outOfOrder++;
            }
            view.last = f.data.i;
        }
    };
    views.push(view);
}

const total = Number(rate) * Number(seconds);
const start = performance.now();
let sent = 0;
await new Promise((resolve) => {
    const tick = () => {
        const due = Math.min(total, Math.floor((performance.now() - start) * Number(rate) / 1000));
        while (sent < due) {
            sender.send(JSON.stringify({type: 'signal', room, data: {i: sent, t: performance.now()}}));
            sent++;
        }
        if (sent < total) {
            setImmediate(tick);
        } else {
            resolve();
        }
    };
    tick();
});
const sendMs = performance.now() - start;
await new Promise((resolve) => setTimeout(resolve, 3000));

const pct = (sorted, p) => sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] * 10) / 10 : null;
const all = views.flatMap((v) => v.latencies).sort((a, b) => a - b);
console.log(JSON.stringify({
    receivers: Number(receivers), rate: Number(rate), sent, sendMs: Math.round(sendMs),
    delivered: views.map((v) => v.latencies.length), outOfOrder: views.reduce((n, v) => n + v.outOfOrder, 0),
    latencyMs: {p50: pct(all, 0.5), p90: pct(all, 0.9), p99: pct(all, 0.99), max: pct(all, 1)},
}));
process.exit(0);
