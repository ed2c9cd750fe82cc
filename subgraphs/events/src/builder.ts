import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import { DateTimeScalar, JSONDocumentScalar, JSONObjectScalar } from '@eventgraph/runtime';
import type { EventsContext } from './context';

/** The one schema builder of the events subgraph. */
export const builder = new SchemaBuilder<{
  Context: EventsContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    JSONDocument: { Input: never; Output: unknown };
  };
}>({
  plugins: [DirectivePlugin, FederationPlugin],
  defaultFieldNullability: false,
});

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSONDocument', JSONDocumentScalar);
builder.addScalarType('JSONObject', JSONObjectScalar);
builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
