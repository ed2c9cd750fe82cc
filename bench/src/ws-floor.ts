/**
 * The machine's floor for fan-out: a plain `ws` server (no GraphQL, no gateway) sends one ~200-byte
 * text message to each of N sockets held by a forked client process, event after event, as fast as
 * the clients take them. The messages per second it reaches bound what any gateway could deliver to
 * N subscribers on this machine. Writes the `ws-floor` block of bench/RESULTS.md, read with `fan-out`.
 *
 *   npx tsx bench/src/ws-floor.ts [sockets] [events]
 */
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import WebSocket, { WebSocketServer } from 'ws';
import { machineInfo, writeResultsSection } from './common';

const asClient = process.argv[2] === 'client';
const [socketsArg, eventsArg] = asClient ? process.argv.slice(4) : process.argv.slice(2);
const SOCKETS = Number(socketsArg ?? 10_000);
const EVENTS = Number(eventsArg ?? 20);
const PAYLOAD = JSON.stringify({
  id: '00000000-0000-4000-8000-000000000000',
  type: 'next',
  payload: {
    data: {
      checkInRecorded: {
        nfcId: '04:BE:ab12cd:1',
        allowed: true,
        gate: { name: 'Main' },
        series: { name: 'Day 1', event: { title: 'Bench Open Air' } },
      },
    },
  },
});

async function server() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const child = fork(__filename, ['client', String((wss.address() as AddressInfo).port), String(SOCKETS), String(EVENTS)], {
    execArgv: ['--import', 'tsx'],
  });
  await new Promise((resolve) => child.once('message', resolve)); // every socket open
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let event = 0; event < EVENTS; event++) {
    for (const socket of wss.clients) socket.send(PAYLOAD);
    // the next event once the clients took this one
    await new Promise((resolve) => child.once('message', resolve));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const messages = SOCKETS * EVENTS;
  const machine = machineInfo();
  const line =
    `Measured on ${new Date().toISOString()} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' / ')}): ` +
    `a plain \`ws\` server sending ${SOCKETS} sockets × ${EVENTS} events reached ${Math.round(messages / seconds)} messages/s, ` +
    `${(((cpu.user + cpu.system) / 1000 / messages) * 1000).toFixed(1)} µs of server CPU per message.`;
  console.log(line);
  writeResultsSection('ws-floor', line);
  child.kill();
  wss.close();
}

async function client(port: number) {
  let received = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < SOCKETS; i += 250) {
    await Promise.all(
      Array.from({ length: Math.min(250, SOCKETS - i) }, () => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}`);
        sockets.push(socket);
        socket.on('message', () => {
          if (++received % SOCKETS === 0) process.send!('event');
        });
        return new Promise((resolve) => socket.once('open', resolve));
      }),
    );
  }
  process.send!('open');
}

if (asClient) void client(Number(process.argv[3]));
else void server();
