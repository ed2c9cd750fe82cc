import { GraphQLError } from 'graphql';
import { DomainError, formatClientError, translateDatabaseError } from '../src/errors';

const format = (error: GraphQLError) => {
  const logged: unknown[] = [];
  return { formatted: formatClientError(error.toJSON(), error, (e) => logged.push(e)), logged };
};

describe('what clients see of errors', () => {
  it('passes domain errors through with their code and extensions', () => {
    const original = new DomainError('ILLEGAL_TRANSITION', 'event cannot go from DRAFT to ON_SALE', { from: 'DRAFT' });
    const wrapped = new GraphQLError(original.message, { originalError: original, path: ['transitionEvent'] });
    expect(format(wrapped).formatted).toEqual({
      message: 'event cannot go from DRAFT to ON_SALE',
      path: ['transitionEvent'],
      extensions: { code: 'ILLEGAL_TRANSITION', from: 'DRAFT' },
    });
  });

  it("names the input path of graphql-js's own value refusals, and the Int range", () => {
    const overflow = new GraphQLError(
      'Variable "$input" got invalid value 3000000000 at "input.limits[0].capacity"; Int cannot represent non 32-bit signed integer value: 3000000000',
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
    const { formatted } = format(overflow);
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.limits[0].capacity' });
    expect(formatted.message).toMatch(/\(an Int is a whole number from -2147483648 to 2147483647\)$/);
  });

  it('hides unexpected errors behind INTERNAL_SERVER_ERROR and logs them', () => {
    const bug = new GraphQLError('relation "Event" does not exist at SELECT …', {
      originalError: new Error('relation "Event" does not exist'),
    });
    const { formatted, logged } = format(bug);
    expect(formatted).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged).toHaveLength(1);
  });

  it('turns unique violations into CONFLICT naming the fields, without SQL', () => {
    const byTarget = { code: 'P2002', clientVersion: '7', meta: { modelName: 'Venue', target: ['organizationId', 'slug'] } };
    expect(translateDatabaseError(byTarget)).toMatchObject({
      message: 'a Venue with the same organizationId, slug already exists',
      extensions: { code: 'CONFLICT' },
    });
    const byIndex = {
      code: 'P2002',
      clientVersion: '7',
      meta: { modelName: 'Venue', driverAdapterError: { cause: { constraint: { index: 'Venue_organizationId_slug_key' } } } },
    };
    expect(translateDatabaseError(byIndex)?.message).toBe('a Venue with the same organizationId, slug already exists');
    expect(translateDatabaseError({ code: 'P2025', clientVersion: '7', meta: { modelName: 'Event' } })?.extensions.code).toBe(
      'NOT_FOUND',
    );
    expect(translateDatabaseError(new Error('boom'))).toBeUndefined();
  });
});
