import { useCallback, useEffect, useState } from 'react';
import type { EventgraphClient } from '@eventgraph/sdk';
import { applyBrand, type Brand } from './brand';
import { describeProblem } from './errors';
import { EventPage } from './EventPage';
import { SiteBrandingDocument } from './generated/graphql';
import { ProblemPanel } from './ProblemPanel';
import { linkProps, useRoute } from './router';
import { SearchPage } from './SearchPage';
import { loadSiteConfig, siteClient, type SiteConfig } from './site';

type Site =
  | { state: 'loading' }
  | { state: 'ready'; config: SiteConfig; client: EventgraphClient; brand: Brand }
  | { state: 'failed'; problem: unknown };

export function App() {
  const [site, setSite] = useState<Site>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    let client: EventgraphClient | undefined;
    let cancelled = false;
    void (async () => {
      try {
        const config = await loadSiteConfig();
        client = siteClient(config);
        // the partner's brand comes with its key: the white-label configuration the platform keeps for the app
        const { partnerBranding: brand } = await client.request(SiteBrandingDocument);
        if (cancelled) return;
        applyBrand(brand);
        setSite({ state: 'ready', config, client, brand });
      } catch (problem) {
        if (cancelled) return;
        applyBrand(undefined);
        setSite({ state: 'failed', problem });
      }
    })();
    return () => {
      cancelled = true;
      void client?.close();
    };
  }, [attempt]);

  const brand = site.state === 'ready' ? site.brand : undefined;
  return (
    <div className="site" data-sdk-entry={__SDK_ENTRY__}>
      <header className="masthead" data-testid="masthead">
        <a className="brand" {...linkProps('/')}>
          {brand?.logoUrl ? <img className="logo" src={brand.logoUrl} alt="" data-testid="logo" /> : null}
          <span data-testid="brand-name">{brand?.brandName ?? 'Events'}</span>
        </a>
      </header>
      <main>
        {site.state === 'loading' ? <p className="loading">Loading…</p> : null}
        {site.state === 'failed' ? <ProblemPanel problem={describeProblem(site.problem)} onRetry={retry} /> : null}
        {site.state === 'ready' ? <Routes config={site.config} client={site.client} /> : null}
      </main>
      <footer>Event data by Eventgraph</footer>
    </div>
  );
}

function Routes({ config, client }: { config: SiteConfig; client: EventgraphClient }) {
  const route = useRoute();
  if (route.page === 'search') return <SearchPage key={route.query.toString()} client={client} query={route.query} />;
  if (route.page === 'event') return <EventPage key={route.id} client={client} config={config} id={route.id} />;
  return (
    <section className="panel">
      <h1>Page not found</h1>
      <p>
        <a {...linkProps('/')}>Search events</a>
      </p>
    </section>
  );
}
