import { GraphQLError, Lexer, Source, TokenKind, parse, type DocumentNode } from 'graphql';
import { LimitErrorCode, limitError } from './errors';

/**
 * Counts the tokens of `source` the way graphql-js's parser does for `maxTokens`
 * (comments excluded), stopping once `stopAfter` is exceeded so huge documents
 * cost no more than the limit; a lexing error ends the count where it occurred.
 */
export function countTokens(source: string | Source, stopAfter = Infinity): number {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  let count = 0;
  try {
    while (count <= stopAfter && lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // syntax errors are for the parser to report
  }
  return count;
}

export const tooManyTokensError = (maxTokens: number, cause?: GraphQLError): GraphQLError =>
  limitError(
    `The document has more than ${maxTokens} tokens, the limit`,
    LimitErrorCode.TooManyTokens,
    { limit: maxTokens },
    {
      source: cause?.source,
      positions: cause?.positions,
    },
  );

/**
 * Parses with graphql-js's `maxTokens`, so an oversized document is abandoned
 * after `maxTokens` tokens instead of being parsed (and later validated) whole.
 * Throws a GraphQLError coded TOO_MANY_TOKENS or GRAPHQL_PARSE_FAILED.
 */
export function parseWithLimits(source: string | Source, limits: { maxTokens: number }): DocumentNode {
  try {
    return parse(source, { maxTokens: limits.maxTokens });
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    // graphql-js reports the token limit as a plain syntax error; recount rather than match its wording
    if (countTokens(source, limits.maxTokens) > limits.maxTokens) throw tooManyTokensError(limits.maxTokens, err);
    throw limitError(err.message, LimitErrorCode.ParseFailed, {}, { source: err.source, positions: err.positions });
  }
}
