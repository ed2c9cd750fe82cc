import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

export type CompositionResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Composes subgraph schemas into a supergraph with Apollo's own composition rules. */
export function composeSupergraph(subgraphs: SubgraphSdl[]): CompositionResult {
  let result: ReturnType<typeof composeServices>;
  try {
    result = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  } catch (err) {
    // an invalid subgraph schema is thrown rather than reported
    return {
      ok: false,
      errors: [`${(err as { extensions?: { code?: string } }).extensions?.code ?? 'ERROR'}: ${(err as Error).message}`],
    };
  }
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((e) => `${(e.extensions?.code as string | undefined) ?? 'ERROR'}: ${e.message}`),
    };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl };
}
