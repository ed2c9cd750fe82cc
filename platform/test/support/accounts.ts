import type { TestPlatform } from './test-platform';

export interface Account {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;

/** Signs a new user up through the gateway and returns their tokens. */
export async function signUp(platform: TestPlatform, name = 'user'): Promise<Account> {
  const email = `${name}-${Date.now().toString(36)}-${counter++}@example.com`;
  const password = `correct horse ${name} battery`;
  const { body } = await platform.request(
    `mutation($input: SignUpInput!) { signUp(input: $input) { user { id } accessToken refreshToken } }`,
    { input: { email, password, displayName: name } },
    { token: null },
  );
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const session = (body.data as any).signUp;
  return { id: session.user.id, email, password, accessToken: session.accessToken, refreshToken: session.refreshToken };
}

/** A GraphQL call as this account; returns the whole response. */
export const as =
  (platform: TestPlatform, account: Pick<Account, 'accessToken'>) =>
  <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) =>
    platform.request<T>(query, variables, { token: account.accessToken });

/** An organisation owned by `owner`, created by the owner themself. */
export async function createOrganization(platform: TestPlatform, owner: Account, slug: string): Promise<string> {
  const { body } = await as(platform, owner)(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
    {
      input: { name: slug, slug: `${slug}-${Date.now().toString(36)}-${counter++}` },
    },
  );
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return (body.data as any).createOrganization.id;
}

/** Invites `invitee` with `role` (acting as `inviter`) and accepts; returns the membership id. */
export async function addMember(
  platform: TestPlatform,
  inviter: Account,
  organizationId: string,
  invitee: Account,
  role: string,
): Promise<string> {
  const invited = await as(platform, inviter)(
    `mutation($org: ID!, $email: String!, $role: Role!) { inviteMember(organizationId: $org, email: $email, role: $role) { token } }`,
    { org: organizationId, email: invitee.email, role },
  );
  if (invited.body.errors) throw new Error(JSON.stringify(invited.body.errors));
  const accepted = await as(platform, invitee)(`mutation($token: String!) { acceptInvitation(token: $token) { id } }`, {
    token: (invited.body.data as any).inviteMember.token,
  });
  if (accepted.body.errors) throw new Error(JSON.stringify(accepted.body.errors));
  return (accepted.body.data as any).acceptInvitation.id;
}
