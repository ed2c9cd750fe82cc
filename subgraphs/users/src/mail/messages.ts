import type { MailMessage } from './mailer';

export function verifyEmailMessage(to: string, token: string, expiresAt: Date): MailMessage {
  return {
    to,
    kind: 'verify-email',
    subject: 'Confirm your email address for Eventgraph',
    text: [
      'Someone (we hope you) asked to create an Eventgraph account with this address.',
      'To finish signing up, confirm it:',
      '',
      `  mutation { verifyEmail(token: "${token}") { accessToken refreshToken clientToken } }`,
      '',
      `The token works once, until ${expiresAt.toISOString()}. If this was not you, ignore this message.`,
    ].join('\n'),
    data: { token },
  };
}

export function alreadyRegisteredMessage(to: string): MailMessage {
  return {
    to,
    kind: 'sign-up-attempt',
    subject: 'Someone tried to sign up with your address',
    text: [
      'Someone tried to create an Eventgraph account with this address, which already has one.',
      'Nothing was changed. If it was you, log in instead. If it was not, there is nothing to do.',
    ].join('\n'),
    data: {},
  };
}
