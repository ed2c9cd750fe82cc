// A scanner device at a festival gate, as a command-line program.
//
//   npx tsx examples/scanner/main.ts --series <id> [--gate <id>] [--exit] [--provision <token>] [--file <path>]
//
// The first run exchanges a one-time provisioning token (from registerDevice) for the device's own
// credential and keeps it in <state>/credential.json (mode 0600). Then it follows the gate's check-ins
// and scans the NFC ids it reads, one a line, from --file or stdin: each is answered ALLOWED or DENIED
// with the reason. While the gateway cannot be reached, scans wait in <state>/offline-queue.jsonl and
// are uploaded as an offline batch (with their original times) when it answers again.
//
// Options and environment:
//   --series <id>          EVENTGRAPH_SERIES   the series scanned for (required)
//   --gate <id>            EVENTGRAPH_GATE     default: the device's only gate
//   --exit                                     scan exits instead of entries
//   --provision <token>    EVENTGRAPH_PROVISIONING_TOKEN
//   --state <dir>          EVENTGRAPH_SCANNER_STATE   default ~/.eventgraph-scanner
//   --file <path>                              read NFC ids from a file instead of stdin
//   --retry-every <s>      while offline, try the gateway this often (default 5)
//   --drain <s>            at the end of the input, wait this long for the gateway to take queued scans (default 30)
//   EVENTGRAPH_URL         default http://localhost:4000/graphql
//
// Exit status: 0 done; 1 some scans failed; 64 bad usage; 69 gateway unreachable when provisioning;
// 75 input ended with scans still queued (kept for the next run); 77 token or credential refused.
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { createEventgraphClient, ProvisionDeviceDocument, type EventgraphClient } from '@eventgraph/sdk';
import { DEFAULT_URL, flag, parseFlags } from '../lib/common';
import { credentialFile, loadCredential, saveCredential, type StoredCredential } from './credential-store';
import { credentialRefused, EXIT, explain, isCredentialRefused, isUnreachable, ScannerStop } from './failures';
import { followGate } from './gate-feed';
import { OfflineQueue, queueFile } from './offline-queue';
import { GateScanner } from './scan-loop';

export interface ScannerIo {
  input: NodeJS.ReadableStream;
  print(line: string): void;
  error(line: string): void;
  /** ends the scanning early (Ctrl+C): what waits offline stays queued */
  signal?: AbortSignal;
}

const seconds = (value: string | undefined, fallback: number, name: string) => {
  if (value === undefined) return fallback * 1000;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new ScannerStop(`--${name} takes a number of seconds, not "${value}"`, EXIT.USAGE);
  return n * 1000;
};

function deviceClient(url: string, credential?: string): EventgraphClient {
  return createEventgraphClient({
    url,
    credential,
    webSocketImpl: WebSocket,
    // a gate stays up through outages of any length: the socket keeps trying (the feed also resubscribes itself)
    retryAttempts: 1_000_000,
    // a scan that waits longer than this is better kept offline
    timeoutMs: 8000,
  });
}

/** The stored credential, or a new one from the provisioning token. */
async function credentialFor(url: string, stateDir: string, token: string | undefined, io: ScannerIo): Promise<StoredCredential> {
  const stored = await loadCredential(stateDir);
  if (stored && !token) return stored;
  if (!token)
    throw new ScannerStop(
      `This scanner is not provisioned yet (no ${credentialFile(stateDir)}). Run it once with --provision <token>, the one-time token registerDevice gave.`,
      EXIT.USAGE,
    );
  const client = deviceClient(url);
  try {
    const { provisionDevice } = await client.request(ProvisionDeviceDocument, { provisioningToken: token });
    const credential: StoredCredential = {
      deviceId: provisionDevice.device.id,
      name: provisionDevice.device.name,
      allowedGateIds: provisionDevice.device.allowedGateIds,
      credential: provisionDevice.credential,
      url,
      provisionedAt: new Date().toISOString(),
    };
    const file = await saveCredential(stateDir, credential);
    io.print(`Provisioned as "${credential.name}" (device ${credential.deviceId}); credential kept in ${file}`);
    return credential;
  } catch (err) {
    if (isCredentialRefused(err))
      throw new ScannerStop(
        `The provisioning token was refused: ${err.message}. Provisioning tokens work once, for a day: ask an administrator to register the device again for a new one.`,
        EXIT.NOPERM,
      );
    if (isUnreachable(err))
      throw new ScannerStop(
        `Cannot provision: ${explain(err)}. Provisioning needs the gateway; try again when it answers.`,
        EXIT.UNAVAILABLE,
      );
    throw err;
  } finally {
    await client.close();
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: ScannerIo): Promise<number> {
  const { flags } = parseFlags(argv);
  const url = env.EVENTGRAPH_URL || DEFAULT_URL;
  const stateDir = flag(flags, 'state') ?? env.EVENTGRAPH_SCANNER_STATE ?? join(homedir(), '.eventgraph-scanner');
  const seriesId = flag(flags, 'series') ?? env.EVENTGRAPH_SERIES;
  let client: EventgraphClient | undefined;
  let scanner: GateScanner | undefined;
  let stopFeed: (() => Promise<void>) | undefined;
  try {
    if (!seriesId) throw new ScannerStop('Say which series to scan for: --series <id> (or EVENTGRAPH_SERIES).', EXIT.USAGE);
    const retryEveryMs = seconds(flag(flags, 'retry-every'), 5, 'retry-every');
    const drainMs = seconds(flag(flags, 'drain'), 30, 'drain');
    const device = await credentialFor(url, stateDir, flag(flags, 'provision') ?? env.EVENTGRAPH_PROVISIONING_TOKEN, io);
    const gateId =
      flag(flags, 'gate') ?? env.EVENTGRAPH_GATE ?? (device.allowedGateIds.length === 1 ? device.allowedGateIds[0] : undefined);
    if (!gateId)
      throw new ScannerStop(
        `This device serves several gates (${device.allowedGateIds.join(', ')}): choose one with --gate <id>.`,
        EXIT.USAGE,
      );
    if (!device.allowedGateIds.includes(gateId))
      io.error(`warning: gate ${gateId} is not one this device was registered for; its scans will be denied`);

    client = deviceClient(url, device.credential);
    const queue = await OfflineQueue.open(queueFile(stateDir));
    const direction = flags.exit ? 'EXIT' : 'ENTRY';
    const activeScanner = new GateScanner({
      client,
      deviceId: device.deviceId,
      seriesId,
      gateId,
      direction,
      queue,
      print: io.print,
      retryEveryMs,
    });
    scanner = activeScanner;
    const file = flag(flags, 'file');
    const lines = createInterface({ input: file ? createReadStream(file) : io.input, crlfDelay: Infinity });

    stopFeed = followGate({
      client,
      gateId,
      deviceId: device.deviceId,
      print: io.print,
      // the scans stop too: nothing this device sends will be accepted any more
      onCredentialRefused: (err) => {
        activeScanner.stop ??= credentialRefused(err, queue.size, queue.file);
        lines.close();
      },
    });
    io.signal?.addEventListener('abort', () => lines.close(), { once: true });
    io.print(
      `Scanning ${direction === 'EXIT' ? 'exits' : 'entries'} at gate ${gateId} for series ${seriesId} as "${device.name}"`,
    );
    if (queue.size) {
      io.print(`${queue.size} offline scan${queue.size === 1 ? '' : 's'} left from an earlier run: uploading`);
      await scanner.upload();
    }

    for await (const line of lines) {
      const nfcId = line.trim();
      if (!nfcId || nfcId.startsWith('#')) continue;
      await scanner.scan(nfcId);
      if (scanner.stop) break;
    }
    await scanner.close();
    // the input ended: give the gateway a while to take what waits offline
    for (
      const deadline = Date.now() + drainMs;
      scanner.queued && !scanner.stop && !io.signal?.aborted && Date.now() < deadline;
    ) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryEveryMs, 1000)));
      await scanner.upload();
    }
    if (scanner.stop) throw scanner.stop;
    if (scanner.queued) {
      io.error(
        `${scanner.queued} scans are still waiting for the gateway; they are kept in ${queue.file} and uploaded on the next run`,
      );
      return EXIT.TEMPFAIL;
    }
    return scanner.failures ? EXIT.FAILED : EXIT.OK;
  } catch (err) {
    if (err instanceof ScannerStop) {
      io.error(err.message);
      return err.exitCode;
    }
    io.error(`scanner failed: ${explain(err)}`);
    return EXIT.FAILED;
  } finally {
    await scanner?.close();
    await stopFeed?.();
    await client?.close();
  }
}

if (require.main === module) {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  main(process.argv.slice(2), process.env, {
    input: process.stdin,
    print: (line) => console.log(line),
    error: (line) => console.error(line),
    signal: abort.signal,
  }).then((code) => {
    process.exitCode = code;
    // stdin may still be open (Ctrl+C at a terminal): nothing else is left to wait for
    process.stdin.destroy();
  });
}
