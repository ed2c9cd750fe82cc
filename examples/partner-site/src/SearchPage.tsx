import { useEffect, useMemo, useState } from 'react';
import type { EventgraphClient } from '@eventgraph/sdk';
import { describeProblem } from './errors';
import { formatWhen, visitorTimeZone } from './format';
import { SiteSearchDocument, type SiteSearchQuery } from './generated/graphql';
import { useEventChanges, type LiveTarget } from './live';
import { ProblemPanel } from './ProblemPanel';
import { linkProps, navigate } from './router';
import { fieldsOf, filterOf, queryOf, type SearchFields } from './search-filter';

export const PAGE_SIZE = 6;

type Results = SiteSearchQuery['searchEvents'];

/** One search (App keys it by its query string, so a new search starts on its first page). */
export function SearchPage({ client, query }: { client: EventgraphClient; query: URLSearchParams }) {
  const search = query.toString();
  const fields = useMemo(() => fieldsOf(new URLSearchParams(search)), [search]);
  // the cursors of the pages before this one: Previous goes back to the last, Next adds this page's end
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [results, setResults] = useState<Results>();
  const [problem, setProblem] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const after = cursors[cursors.length - 1] ?? null;

  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    setProblem(undefined);
    client
      .request(
        SiteSearchDocument,
        { filter: filterOf(fields, visitorTimeZone()), sort: fields.sort, first: PAGE_SIZE, after },
        { signal: abort.signal },
      )
      .then(({ searchEvents }) => setResults(searchEvents))
      .catch((err: unknown) => {
        if (!abort.signal.aborted) setProblem(err);
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [client, fields, after, attempt]);

  // the organisations on this page: their events' changes show here as they happen
  const targets = useMemo<LiveTarget[]>(
    () =>
      [...new Set(results?.edges.flatMap((e) => (e.node.organization ? [e.node.organization.id] : [])) ?? [])]
        .sort()
        .map((organizationId) => ({ organizationId })),
    [results],
  );
  useEventChanges(client, targets, (change) => {
    const changed = change.event;
    if (!changed) return;
    setResults(
      (current) =>
        current && {
          ...current,
          edges: current.edges.map((edge) =>
            edge.node.id === changed.id
              ? { ...edge, node: { ...edge.node, ...changed, organization: edge.node.organization } }
              : edge,
          ),
        },
    );
  });

  return (
    <>
      <SearchForm initial={fields} />
      {problem ? <ProblemPanel problem={describeProblem(problem)} onRetry={() => setAttempt((n) => n + 1)} /> : null}
      {results && !problem ? (
        <section className="results" aria-busy={loading} data-query={search} data-page={cursors.length}>
          <p className="count" data-testid="count">
            {results.totalCount === 1 ? '1 event' : `${results.totalCount} events`}
            {cursors.length > 1 || results.pageInfo.hasNextPage ? ` · page ${cursors.length}` : ''}
          </p>
          <ol className="cards">
            {results.edges.map(({ node, distanceKm }) => (
              <li key={node.id} className="card" data-testid="result" data-event-id={node.id}>
                <a className="title" {...linkProps(`/events/${node.id}`)}>
                  {node.title}
                </a>
                {node.status === 'CANCELLED' ? <span className="badge">Cancelled</span> : null}
                <p className="when">{formatWhen(node)}</p>
                <p className="where">
                  {[node.venue?.name, node.venue?.city].filter(Boolean).join(', ')}
                  {distanceKm != null ? ` · ${distanceKm.toFixed(1)} km away` : ''}
                </p>
                {node.categories.length ? <p className="tags">{node.categories.join(' · ')}</p> : null}
              </li>
            ))}
          </ol>
          {results.edges.length === 0 ? <p className="empty">No events match this search.</p> : null}
          <nav className="pager">
            <button type="button" disabled={cursors.length === 1 || loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous
            </button>
            <button
              type="button"
              disabled={!results.pageInfo.hasNextPage || loading}
              onClick={() => setCursors((c) => [...c, results.pageInfo.endCursor ?? null])}
            >
              Next
            </button>
          </nav>
        </section>
      ) : null}
    </>
  );
}

function SearchForm({ initial }: { initial: SearchFields }) {
  const [fields, setFields] = useState(initial);
  const field = (name: keyof SearchFields) => ({
    name,
    value: fields[name],
    onChange: (e: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: e.target.value })),
  });
  return (
    <form
      className="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(queryOf(fields));
      }}
    >
      <label className="wide">
        Search
        <input type="search" placeholder="Concerts, venues, keywords…" {...field('q')} />
      </label>
      <label>
        From
        <input type="date" {...field('from')} />
      </label>
      <label>
        To
        <input type="date" {...field('to')} />
      </label>
      <label>
        Category
        <input type="text" placeholder="e.g. music" {...field('category')} />
      </label>
      <fieldset>
        <legend>Near</legend>
        <label>
          Latitude
          <input type="number" step="any" min={-90} max={90} {...field('lat')} />
        </label>
        <label>
          Longitude
          <input type="number" step="any" min={-180} max={180} {...field('lon')} />
        </label>
        <label>
          Within km
          <input type="number" step="any" min={0} {...field('km')} />
        </label>
      </fieldset>
      <label>
        Sort
        <select {...field('sort')}>
          <option value="START">Soonest first</option>
          <option value="DISTANCE">Nearest first</option>
          <option value="RELEVANCE">Best match first</option>
        </select>
      </label>
      <button type="submit">Search</button>
    </form>
  );
}
