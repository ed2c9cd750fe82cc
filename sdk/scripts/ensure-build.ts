import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * For tests that load the SDK as its users do (the package's build, not its sources): builds `sdk/dist` unless it
 * is newer than everything the build reads, as a build cache would decide.
 */
const SDK = join(__dirname, '..');
const INPUTS = ['src', join('scripts', 'build.ts'), 'package.json', 'tsconfig.build.json'];

const newest = (path: string): number => {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
};

export function sdkBuildIsCurrent(): boolean {
  const built = statSync(join(SDK, 'dist', 'index.mjs'), { throwIfNoEntry: false });
  return !!built && built.mtimeMs > Math.max(...INPUTS.map((input) => newest(join(SDK, input))));
}

export async function ensureSdkBuild(): Promise<void> {
  if (sdkBuildIsCurrent()) return;
  await promisify(execFile)('npm', ['run', 'build'], { cwd: SDK, timeout: 120_000 });
}
