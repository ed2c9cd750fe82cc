import { useEffect, useState } from 'react';

/** A two-route history router: `/` (the search, its filters in the query string) and `/events/<id>`. */
export type Route = { page: 'search'; query: URLSearchParams } | { page: 'event'; id: string } | { page: 'missing' };

export function routeOf(location: Pick<Location, 'pathname' | 'search'>): Route {
  if (location.pathname === '/' || location.pathname === '')
    return { page: 'search', query: new URLSearchParams(location.search) };
  const event = /^\/events\/([^/]+)$/.exec(location.pathname);
  return event ? { page: 'event', id: decodeURIComponent(event[1]!) } : { page: 'missing' };
}

const listeners = new Set<() => void>();

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  if (!options.replace) window.scrollTo(0, 0);
  listeners.forEach((l) => l());
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location));
  useEffect(() => {
    const update = () => setRoute(routeOf(window.location));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** An in-app link: a real <a href> (open in a new tab works), routed without a reload on a plain click. */
export function linkProps(path: string) {
  return {
    href: path,
    onClick(e: {
      button: number;
      metaKey: boolean;
      ctrlKey: boolean;
      shiftKey: boolean;
      altKey: boolean;
      preventDefault(): void;
    }) {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(path);
    },
  };
}
