/**
 * CPU of the local PostgreSQL server split by whose it is, from /proc and pg_stat_activity: this
 * process's backends (its connections carry the application name `benchApplicationName` sets), the
 * server's own processes (WAL writer, checkpointer, autovacuum, postmaster), and everyone else's
 * backends. On a machine shared with other users of the server (other benchmarks in the same
 * database among them), the last part is not the benchmark's and is reported apart, not summed in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { processCpuMs } from './common';

/**
 * Names this process's connections (node-pg reads PGAPPNAME), so its backends can be told from
 * those of other users of the server. Call before any connection is opened.
 */
export function benchApplicationName(): string {
  process.env.PGAPPNAME = `eventgraph-bench-${process.pid}`;
  return process.env.PGAPPNAME;
}

export interface PostgresCpu {
  /** backends of this process's connections */
  ours: number;
  /** server processes serving no client (autovacuum workers among them, whatever database they clean) */
  server: number;
  /** backends of everyone else */
  others: number;
}

type Sample = Map<number, { cpu: number; whose: keyof PostgresCpu }>;

function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
}

/** Samples the CPU of every PostgreSQL process so far; `cpuSince` turns two samples into a split. */
export function postgresCpuSampler(adminUrl: string, applicationName: string) {
  const pool = new Pool({ connectionString: adminUrl, max: 1, application_name: 'eventgraph-bench-cpu-sampler' });
  return {
    async sample(): Promise<Sample> {
      const { rows } = await pool.query<{ pid: number; application_name: string; backend_type: string }>(
        'SELECT pid, application_name, backend_type FROM pg_stat_activity',
      );
      const known = new Map(rows.map((r) => [r.pid, r]));
      const sample: Sample = new Map();
      for (const pid of postgresPids()) {
        const row = known.get(pid);
        const whose =
          !row || row.backend_type !== 'client backend' ? 'server' : row.application_name === applicationName ? 'ours' : 'others';
        sample.set(pid, { cpu: processCpuMs(pid) ?? 0, whose });
      }
      return sample;
    },
    close: () => pool.end(),
  };
}

/** CPU used between two samples, by whose it was (a process started in between counts whole). */
export function cpuSince(before: Sample, after: Sample): PostgresCpu {
  const split: PostgresCpu = { ours: 0, server: 0, others: 0 };
  for (const [pid, { cpu, whose }] of after) split[whose] += cpu - (before.get(pid)?.cpu ?? 0);
  return split;
}
