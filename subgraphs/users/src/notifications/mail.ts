import nodemailer from 'nodemailer';
import type { Reason } from '../domain/notification-matching';

/** What a notification mail says of each event it carries. */
export interface MailedNotification {
  title: string;
  startsAt: Date;
  eventId: string;
  reasons: Reason[];
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

export type SendMail = (mail: OutgoingMail) => Promise<void>;

/**
 * Mail through SMTP (nodemailer), from NOTIFICATION_SMTP_URL (`smtp://user:pass@host:587`, `smtps://…`) and
 * NOTIFICATION_MAIL_FROM; null without a URL (email deliveries then wait, and are sent once one is set).
 */
export function smtpSender(env: Record<string, string | undefined> = process.env): SendMail | null {
  const url = env.NOTIFICATION_SMTP_URL;
  if (!url) return null;
  const transport = nodemailer.createTransport(url);
  const from = env.NOTIFICATION_MAIL_FROM ?? 'Eventgraph <notifications@eventgraph.invalid>';
  return async (mail) => {
    await transport.sendMail({ from, ...mail });
  };
}

const line = (n: MailedNotification) =>
  [`- ${n.title}, ${n.startsAt.toISOString()} (event ${n.eventId})`, `  why: ${n.reasons.map((r) => r.detail).join('; ')}`].join(
    '\n',
  );

/** One event, or a digest (several at once, or the day's over the cap), with the link that stops these mails without signing in. */
export function notificationMail(
  to: string,
  items: MailedNotification[],
  unsubscribeUrl: string,
  digest = items.length > 1,
): OutgoingMail {
  const count = `${items.length} event${items.length === 1 ? '' : 's'}`;
  const subject = digest ? `${count} you may like` : `New event: ${items[0]!.title}`;
  const text = [
    digest ? 'These events match your notification preferences:' : 'This event matches your notification preferences:',
    '',
    ...items.map(line),
    '',
    `To stop these emails: ${unsubscribeUrl}`,
  ].join('\n');
  // RFC 8058: mail clients offer one-click unsubscribe from these headers
  return { to, subject, text, headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>` } };
}
