import type { ResponsePath } from '@apollo/query-planner';

type Path = readonly (string | number)[];

/** A Flatten path element naming a type condition (`... on Product`): kept only for objects of that type. */
const TYPE_CONDITION = '... on ';

/**
 * The objects at `path` under `root` (`@` walks into lists, nested lists are walked through),
 * nulls dropped. With `paths`, the concrete response path of each object is collected in the same
 * order, so an entity error can name where it happened.
 */
export function objectsAt(root: unknown, path: ResponsePath, paths?: (string | number)[][]): object[] {
  const found: object[] = [];
  const walk = (value: unknown, depth: number, at: (string | number)[] | undefined) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      // a list reached by a field name (or nested lists under `@`): every element continues the same step
      const next = path[depth] === '@' ? depth + 1 : depth;
      value.forEach((element, index) => walk(element, next, at && [...at, index]));
      return;
    }
    if (typeof value !== 'object') return;
    if (depth === path.length) {
      found.push(value);
      if (at) paths!.push(at);
      return;
    }
    const step = path[depth]!;
    if (step === '@') return walk(value, depth + 1, at);
    if (typeof step === 'string' && step.startsWith(TYPE_CONDITION)) {
      if ((value as { __typename?: unknown }).__typename === step.slice(TYPE_CONDITION.length)) walk(value, depth + 1, at);
      return;
    }
    walk((value as Record<string | number, unknown>)[step], depth + 1, at && [...at, step]);
  };
  walk(root, 0, paths ? [] : undefined);
  return found;
}

/** The concrete response paths of the objects `objectsAt(root, path)` returns, in its order. */
export function pathsOf(root: unknown, path: ResponsePath): Path[] {
  const paths: (string | number)[][] = [];
  objectsAt(root, path, paths);
  return paths;
}
