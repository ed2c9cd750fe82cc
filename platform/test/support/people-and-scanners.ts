import { as, signUp, type Account } from './accounts';
import type { createDemoWorld } from './demo-data';
import type { TestPlatform } from './test-platform';

/** A venue id no subgraph knows: following a venue does not look it up. */
export const FAR_VENUE = '00000000-0000-4000-8000-000000000001';

/**
 * The lists of a demo world's organisation that are about people and scanners, filled past one page of two: four
 * more members (five in all), three invitations, three devices; and a signed-up user following four things.
 */
export async function addPeopleAndScanners(
  platform: TestPlatform,
  world: Awaited<ReturnType<typeof createDemoWorld>>,
): Promise<{ follower: Account }> {
  const tag = world.event.id.slice(0, 8);
  const o = world.org.id;
  for (const name of ['Ann', 'Bo', 'Cy', 'Di']) {
    const { createUser } = await platform.data(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
      input: { email: `${name.toLowerCase()}-${tag}@example.com`, displayName: name },
    });
    await platform.data(`mutation($o: ID!, $u: ID!) { addMember(organizationId: $o, userId: $u, role: MEMBER) { id } }`, {
      o,
      u: createUser.id,
    });
  }
  for (const name of ['eve', 'fay', 'gus'])
    await platform.data(
      `mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, email: $e, role: VIEWER) { token } }`,
      {
        o,
        e: `${name}-${tag}@example.com`,
      },
    );
  for (const n of ['Gate 1', 'Gate 2', 'Gate 3'])
    await platform.data(
      `mutation($o: ID!, $n: String!, $g: [ID!]!) { registerDevice(organizationId: $o, name: $n, gateIds: $g) { provisioningToken } }`,
      { o, n, g: [world.gate.id] },
    );
  const follower = await signUp(platform, 'follower');
  const follow = as(platform, follower);
  // at once, so some follows likely share their millisecond: the target's id orders those
  const answers = await Promise.all(
    [
      ['ORGANIZATION', world.org.id],
      ['VENUE', world.venue.id],
      ['USER', world.user.id],
      ['VENUE', FAR_VENUE],
    ].map(([t, id]) =>
      follow(`mutation($t: FollowTarget!, $id: ID!) { follow(targetType: $t, targetId: $id) { targetId } }`, { t, id }),
    ),
  );
  for (const { body } of answers) if (body.errors) throw new Error(JSON.stringify(body.errors));
  return { follower };
}
