import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANONYMOUS, PRINCIPAL_HEADER, signPrincipal, type Logger } from '@eventgraph/runtime';

/**
 * GET /unsubscribe?token=…: the link in notification mails. No sign-in: the token is signed by the platform
 * (users checks it in `unsubscribeNotifications`), so the request goes to users as an anonymous caller.
 * Answers a short text page: 200 stopped, 400 for a forged or expired link (its code in the text).
 */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

export function createUnsubscribeRoute(options: { usersUrl: string; principalSecret: string; logger: Logger }) {
  return async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const send = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'POST') return send(405, 'METHOD_NOT_ALLOWED');
    const token = new URL(req.url ?? '/', 'http://gateway').searchParams.get('token') ?? '';
    try {
      const response = await fetch(options.usersUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [PRINCIPAL_HEADER]: signPrincipal(ANONYMOUS, options.principalSecret),
          'x-request-id': requestId,
        },
        body: JSON.stringify({
          query: 'mutation($token: String!) { unsubscribeNotifications(token: $token) { channel stopped } }',
          variables: { token },
        }),
      });
      const body = (await response.json()) as {
        data?: { unsubscribeNotifications: { channel: string } } | null;
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      const error = body.errors?.[0];
      if (error?.extensions?.code?.startsWith('UNSUBSCRIBE_TOKEN_'))
        return send(400, `${error.extensions.code}: ${error.message}`);
      if (!body.data) throw new Error(error?.message ?? `users answered ${response.status}`);
      const channel = body.data.unsubscribeNotifications.channel;
      return send(
        200,
        `You will get no more ${channel === 'ALL' ? '' : `${channel.toLowerCase()} `}notifications from Eventgraph.`,
      );
    } catch (err) {
      options.logger.warn({ err, requestId }, 'unsubscribe failed');
      return send(502, 'The link could not be followed just now; try again later.');
    }
  };
}
