import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph } from '@eventgraph/gateway';
import { buildSchema, isObjectType, printSchema } from 'graphql';
import { apiSchemaOf, checkSchema, formatReport, parseAcceptances } from '../src/schema-check';

const released = buildSchema(`
  type Query { event(id: ID!): Event, events(first: Int): [Event!]! }
  type Event { id: ID!, title: String!, venue: String }
  enum Kind { TALK WORKSHOP }
`);
const changed = (sdl: string) => buildSchema(sdl);

describe('schema check', () => {
  it('fails on a removed field and names it', () => {
    const current = changed(`
      type Query { event(id: ID!): Event, events(first: Int): [Event!]! }
      type Event { id: ID!, title: String! }
      enum Kind { TALK WORKSHOP }
    `);
    const report = formatReport(checkSchema(released, current, []));
    expect(report.failed).toBe(true);
    expect(report.lines).toEqual(['BREAKING FIELD_REMOVED: Event.venue was removed.']);
  });

  it('fails on a required argument added and a type changed', () => {
    const current = changed(`
      type Query { event(id: ID!): Event, events(first: Int, city: String!): [Event!]! }
      type Event { id: ID!, title: Int!, venue: String }
      enum Kind { TALK WORKSHOP }
    `);
    const { breaking } = checkSchema(released, current, []);
    expect(breaking.map((c) => c.type).sort()).toEqual(['FIELD_CHANGED_KIND', 'REQUIRED_ARG_ADDED']);
  });

  it('passes a breaking change the team accepted, with its reason', () => {
    const current = changed(`
      type Query { event(id: ID!): Event, events(first: Int): [Event!]! }
      type Event { id: ID!, title: String! }
      enum Kind { TALK WORKSHOP }
    `);
    const acceptances = parseAcceptances(
      JSON.stringify([{ change: 'Event.venue was removed.', reason: 'replaced by Event.place' }]),
    );
    const result = checkSchema(released, current, acceptances);
    expect(result.breaking).toEqual([]);
    expect(formatReport(result)).toEqual({
      lines: ['accepted FIELD_REMOVED: Event.venue was removed. (replaced by Event.place)'],
      failed: false,
    });
  });

  it('passes an added optional field; an added optional argument or enum value is a warning only', () => {
    const current = changed(`
      type Query { event(id: ID!): Event, events(first: Int, city: String): [Event!]! }
      type Event { id: ID!, title: String!, venue: String, summary: String }
      enum Kind { TALK WORKSHOP PANEL }
    `);
    const report = formatReport(checkSchema(released, current, []));
    expect(report.failed).toBe(false);
    expect(report.lines).toEqual([
      'warning OPTIONAL_ARG_ADDED: An optional arg city on Query.events was added.',
      'warning VALUE_ADDED_TO_ENUM: PANEL was added to enum type Kind.',
    ]);
  });

  it('flags an acceptance that matches no change, and refuses one without a reason', () => {
    const result = checkSchema(released, released, [{ change: 'Event.title was removed.', reason: 'x' }]);
    expect(formatReport(result).lines).toEqual([
      'warning: accepted change matches nothing (remove it): Event.title was removed.',
    ]);
    expect(() => parseAcceptances('[{ "change": "Event.venue was removed." }]')).toThrow('"reason" is required');
  });

  it('the committed baseline is a valid schema and the accepted-changes file parses', () => {
    const root = join(__dirname, '..', '..', 'schema');
    expect(buildSchema(readFileSync(join(root, 'released.graphql'), 'utf8')).getQueryType()?.name).toBe('Query');
    expect(Array.isArray(parseAcceptances(readFileSync(join(root, 'accepted-changes.json'), 'utf8')))).toBe(true);
  });

  it('compares the composed API schema as the gateway serves it: @defer in, @inaccessible out', () => {
    const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@inaccessible"])';
    const composition = composeSupergraph([
      {
        name: 'events',
        url: 'http://127.0.0.1:1/graphql',
        sdl: `${link} type Query { event(id: ID!): Event } type Event @key(fields: "id") { id: ID!, secret: String @inaccessible }`,
      },
      {
        name: 'venues',
        url: 'http://127.0.0.1:2/graphql',
        sdl: `${link} type Event @key(fields: "id") { id: ID!, venue: String }`,
      },
    ]);
    if (!composition.ok) throw new Error(composition.errors.join('\n'));
    const api = apiSchemaOf(composition.supergraphSdl);
    expect(api.getDirective('defer')).toBeDefined();
    const event = api.getType('Event');
    expect(isObjectType(event) && Object.keys(event.getFields())).toEqual(['id', 'venue']);
    // a release that served @defer, then a gateway that stops offering it: clients' @defer queries would fail
    const withoutDefer = buildSchema(printSchema(api).replace(/directive @defer[^\n]*\n/, ''));
    expect(formatReport(checkSchema(api, withoutDefer, [])).lines).toEqual(['BREAKING DIRECTIVE_REMOVED: defer was removed.']);
  });
});
