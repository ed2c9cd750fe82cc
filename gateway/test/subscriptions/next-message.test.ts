import { GraphQLError, type ExecutionResult } from 'graphql';
import { nextMessagesFor } from '../../src/subscriptions/next-message';

describe('next messages', () => {
  it('are the bytes graphql-ws sends: id, type, payload with errors last by toJSON()', () => {
    const result: ExecutionResult = { errors: [new GraphQLError('boom', { extensions: { code: 'X' } })], data: { n: 1 } };
    expect(nextMessagesFor('q"1')(result)).toBe(
      JSON.stringify({ id: 'q"1', type: 'next', payload: { data: { n: 1 }, errors: [result.errors![0]!.toJSON()] } }),
    );
    // errors already formatted (Apollo Server's answers to queries) are sent as they are
    const formatted = { errors: [{ message: 'no', extensions: { code: 'Y' } }] } as unknown as ExecutionResult;
    expect(nextMessagesFor('2')(formatted)).toBe(JSON.stringify({ id: '2', type: 'next', payload: formatted }));
  });

  it('serialise a result once however many subscribers receive it', () => {
    let serialised = 0;
    const error = new GraphQLError('counted');
    const toJSON = error.toJSON.bind(error);
    error.toJSON = () => (serialised++, toJSON());
    const result: ExecutionResult = { data: null, errors: [error] };
    const messages = ['a', 'b', 'c'].map((id) => nextMessagesFor(id)(result));
    expect(serialised).toBe(1);
    expect(messages.map((m) => JSON.parse(m) as { id: string; payload: unknown })).toEqual(
      ['a', 'b', 'c'].map((id) => ({ id, type: 'next', payload: { data: null, errors: [{ message: 'counted' }] } })),
    );
  });

  it('answer a result that cannot be serialised with a coded error instead of failing the fan-out', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const message = JSON.parse(nextMessagesFor('1')({ data: circular })) as { payload: { errors: unknown[] } };
    expect(message.payload.errors).toEqual([
      { message: 'the result could not be serialised', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
  });
});
