import { DomainError } from '@eventgraph/runtime';
import type { Problem } from './domain/series-rules';

/** A domain problem (src/domain/) as the error the caller sees, with its code and field. */
export const problemError = (problem: Problem) =>
  new DomainError(problem.code, problem.message, { ...(problem.field ? { field: problem.field } : {}), ...problem.details });
