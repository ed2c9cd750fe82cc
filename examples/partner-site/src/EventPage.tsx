import { useEffect, useState } from 'react';
import type { EventgraphClient } from '@eventgraph/sdk';
import { describeProblem } from './errors';
import { formatWhen, plainText } from './format';
import { SiteEventDocument, type EventPageFragment } from './generated/graphql';
import { useEventChanges, useLiveState } from './live';
import { ProblemPanel } from './ProblemPanel';
import { linkProps } from './router';
import { calendarUrl, type SiteConfig } from './site';

/** One event: when (in its venue's zone), where (address and coordinates), add to calendar; kept current live. */
export function EventPage({ client, config, id }: { client: EventgraphClient; config: SiteConfig; id: string }) {
  const [event, setEvent] = useState<EventPageFragment | null>();
  const [problem, setProblem] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);
  const [updated, setUpdated] = useState<string[]>();

  useEffect(() => {
    const abort = new AbortController();
    setProblem(undefined);
    client
      .request(SiteEventDocument, { id }, { signal: abort.signal })
      .then((data) => setEvent(data.event))
      .catch((err: unknown) => {
        if (!abort.signal.aborted) setProblem(err);
      });
    return () => abort.abort();
  }, [client, id, attempt]);

  const liveProblem = useEventChanges(client, event ? [{ eventId: id }] : [], (change) => {
    if (!change.event) return;
    setEvent(change.event);
    setUpdated(change.changedFields.length ? change.changedFields : [change.kind.toLowerCase().replace('_', ' ')]);
  });

  const live = useLiveState(client);
  const back = (
    <p className="back">
      <a {...linkProps('/')}>← All events</a>
    </p>
  );
  if (problem)
    return (
      <>
        {back}
        <ProblemPanel problem={describeProblem(problem)} onRetry={() => setAttempt((n) => n + 1)} />
      </>
    );
  if (event === undefined) return <p className="loading">Loading…</p>;
  // unknown, or outside what this partner may show: the API answers both with null
  if (event === null)
    return (
      <>
        {back}
        <section className="problem" data-testid="not-found">
          <h2>This event is not available</h2>
          <p>It may have been removed, or it is not listed on this site.</p>
        </section>
      </>
    );

  const venue = event.venue;
  const address = venue?.address;
  const where = [
    venue?.name,
    address?.line1,
    address?.line2,
    [address?.postalCode, address?.city].filter(Boolean).join(' '),
    address?.countryCode,
  ]
    .filter((part) => part && part.trim())
    .join(', ');
  const description = plainText(event.description);
  const { latitude, longitude } = event.coordinates ?? {};
  // the organiser's contact, until the platform blanks it six months after the event
  const contact = event.organizerContact;

  return (
    <article className="event" data-testid="event" data-event-id={event.id} data-sequence={event.sequence}>
      {back}
      <p className={`live live-${live}`} data-testid="live-state">
        {{ connecting: '', live: '● Live', reconnecting: 'Reconnecting…', offline: 'Live updates stopped' }[live]}
      </p>
      {updated ? (
        <p className="live-note" role="status" data-testid="live-note">
          Updated just now ({updated.join(', ')})
        </p>
      ) : null}
      <h1 data-testid="event-title">{event.title}</h1>
      {event.status === 'CANCELLED' ? <p className="badge">This event is cancelled</p> : null}
      <p className="when" data-testid="event-when">
        {formatWhen(event)}
        <span className="zone"> · times in {event.timeZone}</span>
      </p>
      {where ? (
        <p className="where" data-testid="event-where">
          {where}
        </p>
      ) : null}
      {latitude != null && longitude != null ? (
        <p className="map" data-testid="event-map">
          <a
            href={`https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`}
            rel="noopener noreferrer"
            target="_blank"
          >
            Map ({latitude.toFixed(5)}, {longitude.toFixed(5)})
          </a>{' '}
          · <a href={`geo:${latitude},${longitude}`}>Open in maps app</a>
        </p>
      ) : null}
      {event.categories.length ? <p className="tags">{event.categories.join(' · ')}</p> : null}
      {description ? <p className="description">{description}</p> : null}
      {contact && (contact.name || contact.email || contact.phone) ? (
        <p className="contact" data-testid="event-contact">
          Questions? {contact.name ?? 'The organiser'}
          {contact.email ? (
            <>
              {' · '}
              <a href={`mailto:${contact.email}`}>{contact.email}</a>
            </>
          ) : null}
          {contact.phone ? (
            <>
              {' · '}
              <a href={`tel:${contact.phone}`}>{contact.phone}</a>
            </>
          ) : null}
        </p>
      ) : null}
      <p className="actions">
        <a className="button" href={calendarUrl(config, event.id)} download={`${event.id}.ics`} data-testid="add-to-calendar">
          Add to calendar
        </a>
        {event.ticketUrl ? (
          <a className="button secondary" href={event.ticketUrl} rel="noopener noreferrer" target="_blank">
            Tickets
          </a>
        ) : null}
      </p>
      {liveProblem ? <ProblemPanel problem={describeProblem(liveProblem)} /> : null}
    </article>
  );
}
