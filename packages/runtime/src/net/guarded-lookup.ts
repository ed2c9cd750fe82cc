import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isPrivateAddress } from './private-addresses';

/** A connection refused because its target is a private address and private targets are denied. */
export class PrivateTargetError extends Error {
  override name = 'PrivateTargetError';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** How names become addresses: the system's resolver, or a stand-in in tests. */
export type Resolve = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export const systemResolve = lookup as Resolve;

/** The shape node:http's `lookup` option takes. */
export type ConnectLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/**
 * A connection's resolver: `resolve`, and with `refusePrivate` a refusal of private addresses. It runs for the
 * connection itself (pass it as node:http's `lookup`), so a name that resolves differently between a check and
 * the connection (DNS rebinding) is caught too. Address literals skip the lookup: check them with isPrivateHost.
 */
export const guardedLookup =
  (resolve: Resolve, refusePrivate: boolean): ConnectLookup =>
  (hostname, options, callback) =>
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const blocked = refusePrivate && addresses.find((a) => isPrivateAddress(a.address));
      if (blocked) return callback(new PrivateTargetError(`${hostname} resolves to ${blocked.address}, a private address`), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
