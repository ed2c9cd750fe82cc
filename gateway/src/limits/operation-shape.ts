import {
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Size measures of one operation with its fragments expanded. */
export interface OperationShape {
  /** deepest field nesting; `{ a { b } }` is 2; introspection fields count like any other */
  depth: number;
  /** aliased fields, counted once per place a fragment is spread */
  aliases: number;
}

const EMPTY: OperationShape = { depth: 0, aliases: 0 };

export function fragmentsByName(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(definition.name.value))
      fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * Measures as if fragments were inlined, but each fragment is measured once and
 * remembered, so the work stays linear in the document even when fragments
 * spread each other many times over (a "fragment bomb"). A fragment that spreads
 * itself, directly or not, counts as empty where the cycle closes: validation
 * rejects such documents, this only makes sure measuring one terminates.
 */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
): OperationShape {
  const measured = new Map<string, OperationShape>();
  const inProgress = new Set<string>();

  const fragmentShape = (name: string): OperationShape => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const shape = selectionShape(fragment.selectionSet);
    inProgress.delete(name);
    measured.set(name, shape);
    return shape;
  };

  const selectionShape = (selectionSet: SelectionSetNode): OperationShape => {
    let depth = 0;
    let aliases = 0;
    for (const selection of selectionSet.selections) {
      let inner: OperationShape;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? selectionShape(selection.selectionSet) : EMPTY;
        inner = { depth: below.depth + 1, aliases: below.aliases + (selection.alias ? 1 : 0) };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = selectionShape(selection.selectionSet);
      } else {
        inner = fragmentShape(selection.name.value);
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
    }
    return { depth, aliases };
  };

  return selectionShape(operation.selectionSet);
}

/** Directives as written in the document (not expanded): `@a @a @a …` repetition is what this bounds. */
export function countDirectives(document: DocumentNode): number {
  let count = 0;
  visit(document, {
    Directive() {
      count++;
    },
  });
  return count;
}
