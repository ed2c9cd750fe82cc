/**
 * How much of the machine other processes took while a round ran: the machine's busy CPU (from
 * /proc/stat) less this benchmark's own process tree (gateways, subgraphs, load generator). On a
 * shared machine a round with a large share is not comparable with the others.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { processTreeCpuMs } from '../common';

function machineBusyMs(): number {
  // cpu user nice system idle iowait irq softirq steal …, in USER_HZ (100) ticks
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
}

/** Starts counting; the returned function gives the share (0–1) of all cores used outside this process tree since. */
export function otherProcessesShare(): () => number {
  const started = performance.now();
  const [busy, ours] = [machineBusyMs(), processTreeCpuMs(process.pid)];
  return () => {
    const other = machineBusyMs() - busy - (processTreeCpuMs(process.pid) - ours);
    return Math.max(0, other) / ((performance.now() - started) * cpus().length);
  };
}
