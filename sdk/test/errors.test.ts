import { ApiErrorCode, apiErrorMeaning, ClientErrorCode, ErrorCode, EventgraphError, isEventgraphError } from '../src';
import { ERROR_CODES } from '../../packages/runtime/src/error-codes';

describe('EventgraphError', () => {
  it('takes the first error’s code, path, reason and retry wait, and keeps every error', () => {
    const err = EventgraphError.fromResponse(
      [
        { message: 'too many', path: ['a'], extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3, reason: 'BUCKET' } },
        { message: 'other', extensions: { code: 'NOT_FOUND' } },
      ],
      { a: null },
      429,
    );
    expect(err).toMatchObject({ code: 'RATE_LIMITED', path: ['a'], reason: 'BUCKET', retryAfterMs: 3000, status: 429 });
    expect(err.message).toBe('too many (and 1 more error)');
    expect(err.errorsWithCode('NOT_FOUND')).toEqual([{ message: 'other', extensions: { code: 'NOT_FOUND' } }]);
    expect(isEventgraphError(err, 'RATE_LIMITED')).toBe(true);
    expect(isEventgraphError(new Error('x'))).toBe(false);
  });

  it('gives a code this version does not know as UNKNOWN, the server’s own still readable', () => {
    const err = EventgraphError.fromResponse([{ message: 'new', extensions: { code: 'INVENTED_LATER' } }]);
    expect(err.code).toBe('UNKNOWN');
    expect(err.errors[0]?.extensions?.code).toBe('INVENTED_LATER');
    expect(EventgraphError.fromResponse([{ message: 'bare' }]).code).toBe('UNKNOWN');
  });

  it('knows every code of the platform’s registry, with its meaning, beside the client’s own', () => {
    expect(Object.keys(ApiErrorCode).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    expect(apiErrorMeaning).toEqual(ERROR_CODES);
    expect(ErrorCode).toEqual({ ...ApiErrorCode, ...ClientErrorCode });
    for (const code of Object.values(ErrorCode))
      expect(EventgraphError.fromResponse([{ message: code, extensions: { code } }]).code).toBe(code);
  });
});
