import { recentMail } from '@eventgraph/subgraph-users/src/mail/mailer';
import type { TestPlatform } from './test-platform';

export interface Account {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** this test client's known-client token for logIn */
  clientToken: string;
}

let counter = 0;

/** The verification token users last mailed to `email` (the development mailer keeps messages in memory). */
export function verificationToken(email: string): string {
  const mail = recentMail(email).filter((m) => m.kind === 'verify-email');
  const token = mail[mail.length - 1]?.data.token;
  if (!token) throw new Error(`no verification mail to ${email}`);
  return token;
}

/** Signs a new user up through the gateway (signUp, the mailed token, verifyEmail) and returns their tokens. */
export async function signUp(platform: TestPlatform, name = 'user'): Promise<Account> {
  const email = `${name}-${Date.now().toString(36)}-${counter++}@example.com`;
  const password = `correct horse ${name} battery`;
  const { body } = await platform.request(
    `mutation($input: SignUpInput!) { signUp(input: $input) { accepted } }`,
    { input: { email, password, displayName: name } },
    { token: null },
  );
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const verified = await platform.request(
    `mutation($token: String!) { verifyEmail(token: $token) { user { id } accessToken refreshToken clientToken } }`,
    { token: verificationToken(email) },
    { token: null },
  );
  if (verified.body.errors) throw new Error(JSON.stringify(verified.body.errors));
  const session = (verified.body.data as any).verifyEmail;
  return {
    id: session.user.id,
    email,
    password,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    clientToken: session.clientToken,
  };
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
