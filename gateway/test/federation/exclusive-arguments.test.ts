/**
 * Valid GraphQL selects one field with different arguments under mutually exclusive type conditions
 * (they never meet in one object). Both reach one entity fetch; each object answers its own arguments.
 */
import { GATEWAY_KINDS, specCase, startFederation, type Federation } from './harness';
import { exclusiveArguments } from './fixtures/exclusive-arguments';

describe.each(GATEWAY_KINDS)('one field, other arguments per type condition: $name', (kind) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation(kind, exclusiveArguments);
  });
  afterAll(() => federation?.stop());

  // both thumbnails go to one _entities fetch under the response name `thumbnail`; one argument wins
  specCase(kind, ['stock'])('each photo gets the width its type condition asked for', async () => {
    const result = await federation.gateway.query(
      '{ departments { id ... on Aquatics { photo { thumbnail(width: 100) } } ... on Reptiles { photo { thumbnail(width: 200) } } } }',
    );
    expect(result).toEqual({
      status: 200,
      data: {
        departments: [
          { id: 'd1', photo: { thumbnail: 'ph1@100' } },
          { id: 'd2', photo: { thumbnail: 'ph2@200' } },
        ],
      },
    });
  });

  specCase(kind, [])('with aliases of their own, both widths are answered', async () => {
    const result = await federation.gateway.query(
      '{ departments { ... on Aquatics { photo { small: thumbnail(width: 100) } } ... on Reptiles { photo { large: thumbnail(width: 200) } } } }',
    );
    expect(result).toEqual({
      status: 200,
      data: { departments: [{ photo: { small: 'ph1@100' } }, { photo: { large: 'ph2@200' } }] },
    });
  });
});
