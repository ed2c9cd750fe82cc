import { useEffect, useRef, useState } from 'react';
import type { EventgraphClient } from '@eventgraph/sdk';
import { SiteEventChangedDocument, type SiteEventChangedSubscription } from './generated/graphql';

export type EventChange = SiteEventChangedSubscription['eventChanged'];
export type LiveTarget = { eventId: string } | { organizationId: string };

/**
 * Follows `eventChanged` for each target through the SDK's subscriptions (one graphql-ws socket for all; the SDK
 * reconnects and resubscribes). The server sends only changes the partner's key may see. Returns the error that
 * ended a subscription, if one did.
 */
export function useEventChanges(
  client: EventgraphClient,
  targets: readonly LiveTarget[],
  onChange: (change: EventChange) => void,
): unknown {
  const [failure, setFailure] = useState<unknown>();
  const handler = useRef(onChange);
  handler.current = onChange;
  // a stable key: the same targets in a new array keep their subscriptions
  const key = JSON.stringify(targets);

  useEffect(() => {
    const wanted = JSON.parse(key) as LiveTarget[];
    let stopped = false;
    setFailure(undefined);
    const subscriptions = wanted.map((variables) => client.subscribe(SiteEventChangedDocument, variables));
    for (const subscription of subscriptions) {
      void (async () => {
        try {
          for await (const data of subscription) handler.current(data.eventChanged);
        } catch (err) {
          if (!stopped) setFailure(err);
        }
      })();
    }
    return () => {
      stopped = true;
      subscriptions.forEach((s) => s.unsubscribe());
    };
  }, [client, key]);

  return failure;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The subscription socket's state for a "live" indicator (the SDK reports connecting, connected, reconnecting, closed). */
export function useLiveState(client: EventgraphClient): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(
    () =>
      client.onConnection((event) => {
        if (event.type === 'connected') setState('live');
        else if (event.type === 'reconnecting') setState('reconnecting');
        else if (event.type === 'closed' && event.error) setState('offline');
        else if (event.type === 'connecting') setState((s) => (s === 'reconnecting' ? s : 'connecting'));
      }),
    [client],
  );
  return state;
}
