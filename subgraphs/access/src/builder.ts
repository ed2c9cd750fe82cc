import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import { DateTimeScalar, JSONDocumentScalar } from '@eventgraph/runtime';
import type { AccessContext } from './context';

/** The one schema builder of the access subgraph. */
export const builder = new SchemaBuilder<{
  Context: AccessContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
    JSONDocument: { Input: never; Output: unknown };
  };
}>({
  plugins: [DirectivePlugin, FederationPlugin],
  defaultFieldNullability: false,
});

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSONDocument', JSONDocumentScalar);
builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
