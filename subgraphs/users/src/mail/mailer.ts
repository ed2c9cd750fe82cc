import type { Logger } from '@eventgraph/runtime';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** what kind of message, for tests and logs (e.g. 'verify-email') */
  kind: string;
  /** machine-readable parts of the message (e.g. the verification token) */
  data: Record<string, string>;
}

/** Where users' messages go. No SMTP transport yet: until it comes, messages are logged. */
export interface Mailer {
  send(message: MailMessage, log: Logger): Promise<void>;
}

const RECENT_LIMIT = 500;
const recent: MailMessage[] = [];

/**
 * The development mailer: writes each message to the log (so whoever runs
 * `npm start` finds the verification token in its output) and keeps the last
 * few hundred in this process's memory for in-process tests.
 */
export const loggingMailer: Mailer = {
  async send(message, log) {
    recent.push(message);
    if (recent.length > RECENT_LIMIT) recent.splice(0, recent.length - RECENT_LIMIT);
    log.info(
      { mail: { to: message.to, subject: message.subject, kind: message.kind } },
      `mail to ${message.to}:\n${message.text}`,
    );
  },
};

/**
 * Production without a mail transport (SMTP comes later): the log records that a
 * message was due, never its text, since the text carries one-time secrets
 * (verification tokens) that logs must not hold.
 */
export const withheldMailer: Mailer = {
  async send(message, log) {
    log.warn(
      { mail: { to: message.to, subject: message.subject, kind: message.kind } },
      'no mail transport is configured: this message was not sent',
    );
  },
};

/** The mailer for this environment: messages are printed only outside production. */
export const mailerFor = (env: string | undefined): Mailer => (env === 'production' ? withheldMailer : loggingMailer);

/** The messages sent to `to` in this process, oldest first (tests read verification tokens here). */
export const recentMail = (to: string): MailMessage[] => recent.filter((m) => m.to === to.trim().toLowerCase());
