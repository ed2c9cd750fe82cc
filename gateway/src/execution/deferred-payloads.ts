import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { SubsequentPayload } from './operation-execution';

/** The payloads after the initial one, with errors formatted for clients as Apollo Server formats the initial one. */
export async function* formattedPayloads(
  later: AsyncIterable<SubsequentPayload>,
  format: (error: GraphQLError) => GraphQLFormattedError,
): AsyncGenerator<Record<string, unknown>> {
  for await (const payload of later) {
    yield {
      hasNext: payload.hasNext,
      ...(payload.incremental
        ? {
            incremental: payload.incremental.map(({ errors, ...part }) =>
              errors ? { ...part, errors: errors.map(format) } : part,
            ),
          }
        : {}),
    };
  }
}
