import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isCompositeType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * What the iOS app feeds to Apollo iOS code generation (sdk/ios/apollo-codegen-config.json): the API schema and the
 * SDK's own operation documents. graphql-js validity is necessary but not enough for Apollo iOS, which also refuses
 * unnamed or duplicate operations and fragments and sibling fields whose generated Swift types would share a name.
 */
const IOS = join(__dirname, '..', 'ios');
const config = JSON.parse(readFileSync(join(IOS, 'apollo-codegen-config.json'), 'utf8')) as {
  schemaNamespace: string;
  input: { schemaSearchPaths: string[]; operationSearchPaths: string[] };
};

/** The config's search paths are `<dir>/<file or *.ext>` relative to sdk/ios, where the CLI runs. */
function filesOf(pattern: string): string[] {
  const path = resolve(IOS, pattern);
  const star = path.lastIndexOf('*');
  if (star < 0) return [path];
  const dir = path.slice(0, path.lastIndexOf('/'));
  const suffix = path.slice(star + 1);
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

const schemaFiles = config.input.schemaSearchPaths.flatMap(filesOf);
const operationFiles = config.input.operationSearchPaths.flatMap(filesOf);
const schema = buildSchema(schemaFiles.map((file) => readFileSync(file, 'utf8')).join('\n'));
const documents = operationFiles.map((file) => ({ file, document: parse(readFileSync(file, 'utf8')) }));
const combined: DocumentNode = { kind: Kind.DOCUMENT, definitions: documents.flatMap((d) => d.document.definitions) };

/** Apollo iOS names a field's selection-set type after the field, singularised and capitalised (`events` → `Event`). */
const generatedTypeName = (responseName: string) => {
  const singular = responseName.replace(/ies$/, 'y').replace(/(?<!s)s$/, '');
  return singular.charAt(0).toUpperCase() + singular.slice(1);
};

function typeNameConflicts(document: DocumentNode, file: string): string[] {
  const conflicts: string[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet(set: SelectionSetNode) {
        const parent = typeInfo.getParentType();
        if (!parent || !isCompositeType(getNamedType(parent))) return;
        const seen = new Map<string, string>();
        for (const selection of set.selections) {
          if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
          const responseName = selection.alias?.value ?? selection.name.value;
          const other = seen.get(generatedTypeName(responseName));
          if (other && other !== responseName)
            conflicts.push(`${file.split('/').pop()} ${parent.name}: ${other} / ${responseName}`);
          seen.set(generatedTypeName(responseName), responseName);
        }
      },
    }),
  );
  return conflicts;
}

describe('the iOS code generation inputs', () => {
  it('name a schema and operation documents that exist', () => {
    expect(config.schemaNamespace).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    expect(schemaFiles).toHaveLength(1);
    expect(operationFiles.length).toBeGreaterThanOrEqual(5);
    expect(schema.getQueryType()?.getFields().searchEvents).toBeDefined();
  });

  it('every shipped operation is valid against the schema', () => {
    expect(validate(schema, combined).map((e) => e.message)).toEqual([]);
  });

  it('every operation and fragment has a name of its own', () => {
    const names: string[] = [];
    for (const definition of combined.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
      expect(definition.name?.value).toBeTruthy();
      names.push(definition.name!.value);
    }
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('no selection set holds two object fields whose Swift types would share a name', () => {
    expect(documents.flatMap(({ file, document }) => typeNameConflicts(document, file))).toEqual([]);
  });

  it('the type-name check catches the conflict Apollo iOS refuses', () => {
    const document = parse('query Clash { searchEvents { edges { node { id } } edge: pageInfo { hasNextPage } } }');
    expect(typeNameConflicts(document, 'clash.graphql')).toEqual(['clash.graphql EventSearchConnection: edges / edge']);
  });

  it("custom scalars do not collide with Apollo iOS's own types", () => {
    const apolloNames = new Set(['Object', 'Interface', 'Union', 'Schema', 'Selection', 'DataDict', 'GraphQLEnum']);
    const scalars = Object.values(schema.getTypeMap()).filter(
      (type) => !type.name.startsWith('__') && type.constructor.name === 'GraphQLScalarType',
    );
    expect(scalars.map((s) => s.name)).toEqual(expect.arrayContaining(['DateTime']));
    expect(scalars.filter((s) => apolloNames.has(s.name)).map((s) => s.name)).toEqual([]);
  });
});
