import { parse } from 'graphql';
import { ANONYMOUS, type Principal } from '@eventgraph/runtime';
import { introspects, mayExploreSchema, withoutSuggestions } from '../src/schema-exposure';

const caller = (kind: Principal['kind']) => ({ ...ANONYMOUS, kind, id: kind === 'anonymous' ? undefined : 'x' }) as Principal;

describe('schema exposure', () => {
  it('lets each policy explore the schema to its callers only', () => {
    const kinds = ['anonymous', 'user', 'apiKey', 'device', 'service'] as const;
    const allowed = (policy: 'on' | 'members' | 'off') => kinds.filter((k) => mayExploreSchema(policy, caller(k)));
    expect(allowed('on')).toEqual([...kinds]);
    expect(allowed('members')).toEqual(['user', 'service']);
    expect(allowed('off')).toEqual(['service']);
  });

  it('finds introspection anywhere in a document, and __typename is not it', () => {
    expect(introspects(parse('{ __schema { types { name } } }'))).toBe(true);
    expect(introspects(parse('query { ...F } fragment F on Query { __type(name: "Event") { name } }'))).toBe(true);
    expect(introspects(parse('{ events { __typename id } }'))).toBe(false);
  });

  it('drops the "Did you mean" hint and keeps the rest of the message', () => {
    expect(withoutSuggestions('Cannot query field "evnts" on type "Query". Did you mean "events" or "event"?')).toBe(
      'Cannot query field "evnts" on type "Query".',
    );
  });
});
