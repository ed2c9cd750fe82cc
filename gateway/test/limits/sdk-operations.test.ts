import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, getNamedType, isObjectType, parse, type DocumentNode } from 'graphql';
import { CALLER_KINDS, DEFAULT_LIMITS, checkOperationLimits, limitsForCaller, readCostDirectives } from '../../src/limits';
import { cachedCost } from '../../src/limits/cost-cache';
import { fragmentsByName } from '../../src/limits/operation-shape';

const ROOT = join(__dirname, '..', '..', '..');
const supergraphSdl = readFileSync(join(ROOT, 'gateway', 'supergraph.graphql'), 'utf8');
const schema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
const costDirectives = readCostDirectives(supergraphSdl);

/** The SDK's operation files as one document (their fragments are shared across files). */
function sdkOperations(): DocumentNode {
  const dir = join(ROOT, 'sdk', 'src', 'operations');
  return parse(
    readdirSync(dir)
      .map((file) => readFileSync(join(dir, file), 'utf8'))
      .join('\n'),
  );
}

/** Every published trusted document: the generated manifest, and the built one when present. */
function trustedDocuments(): [string, string][] {
  const manifests = ['sdk/src/generated/trusted-documents.json', 'sdk/dist/trusted-documents.json']
    .map((path) => join(ROOT, path))
    .filter((path) => existsSync(path));
  return manifests.flatMap((path) => Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>));
}

const operationNames = (document: DocumentNode) =>
  document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));

describe('the composed supergraph carries list sizes', () => {
  it('has @listSize(slicingArguments: ["first"], sizedFields: ["edges"]) on every Relay connection field', () => {
    const connections: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const target = getNamedType(field.type);
        if (!isObjectType(target) || !target.getFields().edges || !field.args.some((a) => a.name === 'first')) continue;
        connections.push(`${type.name}.${field.name}`);
      }
    }
    expect(connections.length).toBeGreaterThan(10);
    for (const key of connections) {
      expect([key, costDirectives.listSizes.get(key)]).toEqual([
        key,
        expect.objectContaining({ slicingArguments: ['first'], sizedFields: ['edges'] }),
      ]);
    }
  });
});

describe('every operation the SDK ships passes the default limits', () => {
  const limits = { ...DEFAULT_LIMITS, costDirectives };
  const document = sdkOperations();
  const names = operationNames(document);

  it.each(CALLER_KINDS)('for %s callers', (kind) => {
    expect(names.length).toBeGreaterThan(20);
    const refused = names.flatMap((name) =>
      checkOperationLimits(schema, document, name, {}, limitsForCaller(limits, kind)).map(
        (e) => `${name} (${kind}): ${e.message}`,
      ),
    );
    expect(refused).toEqual([]);
  });

  it('and so does every document of the trusted-documents manifest', () => {
    const documents = trustedDocuments();
    expect(documents.length).toBeGreaterThan(20);
    const refused = documents.flatMap(([hash, text]) =>
      checkOperationLimits(schema, parse(text), undefined, {}, limits).map((e) => `${hash}: ${e.message}`),
    );
    expect(refused).toEqual([]);
  });

  it('estimates each by the page sizes it asks for (larger pages cost more)', () => {
    const events = parse('query E($n: Int) { events(first: $n) { edges { node { id title } } } }');
    const operation = events.definitions[0] as Parameters<typeof cachedCost>[2];
    const cost = (n: number) => cachedCost(schema, events, operation, fragmentsByName(events), { n }, limits).cost;
    expect(cost(100)).toBeGreaterThan(cost(10));
    expect(cost(10)).toBe(cost(10)); // the cached estimate is the one computed
    expect(cost(100) - cost(10)).toBe(90 * (cost(11) - cost(10)));
  });
});

describe('hostile operations on the composed supergraph are refused with their cost and the limit', () => {
  const limits = { ...DEFAULT_LIMITS, costDirectives };
  const refusal = (text: string, variables: Record<string, unknown> = {}) =>
    checkOperationLimits(schema, parse(text), undefined, variables, limits).find(
      (e) => e.extensions.code === 'OPERATION_TOO_COSTLY',
    )?.extensions;
  const tooCostly = { code: 'OPERATION_TOO_COSTLY', cost: expect.any(Number), limit: DEFAULT_LIMITS.maxCost };

  it('a huge `first` on a connection', () => {
    expect(refusal('{ events(first: 100000) { edges { node { id title } } } }')).toEqual(tooCostly);
    expect(refusal('query Q($n: Int) { events(first: $n) { edges { node { id } } } }', { n: 100_000 })).toEqual(tooCostly);
    expect(refusal('{ events(first: 100) { edges { node { id title } } } }')).toBeUndefined();
  });

  it('unbounded lists nested in each other', () => {
    const children = (levels: number): string => (levels ? `children { id ${children(levels - 1)} }` : 'name');
    expect(refusal(`{ eventSeries(id: "s") { ${children(1)} } }`)).toBeUndefined();
    expect(refusal(`{ eventSeries(id: "s") { ${children(4)} } }`)).toEqual(tooCostly);
  });

  it('a fragment bomb', () => {
    const levels = Array.from({ length: 6 }, (_, i) => `fragment F${i} on EventSeries { id children { ...F${i + 1} } }`);
    expect(refusal(`{ eventSeries(id: "s") { ...F0 } } ${levels.join(' ')} fragment F6 on EventSeries { id }`)).toEqual(
      tooCostly,
    );
  });
});
