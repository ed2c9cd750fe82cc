import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

/** An example's CLI run as a child process, read line by line. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** waits for a line of output matching `pattern` after the first `from` lines, and returns it */
  line(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
}

const running: CliProcess[] = [];

export async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Node with tsx's loader rather than the tsx command, which runs Node as a child of its own: killing the command
 * would leave that child running. From examples/, so tsx resolves the SDK as the examples' tsconfig says (its source).
 */
export function startCli(script: string, args: string[], env: Record<string, string>, lineTimeoutMs = 20_000): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const cli: CliProcess = {
    child,
    lines,
    stderr: () => err,
    exited,
    async line(pattern, from = 0, timeoutMs = lineTimeoutMs) {
      await until(
        `output ${pattern}\n--- stdout:\n${lines.join('\n')}\n--- stderr:\n${err}`,
        () => lines.slice(from).some((l) => pattern.test(l)),
        timeoutMs,
      );
      return lines.slice(from).find((l) => pattern.test(l))!;
    },
  };
  running.push(cli);
  return cli;
}

/** Kills every CLI still running (afterEach / afterAll). */
export function killClis(): void {
  for (const cli of running.splice(0))
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
}
