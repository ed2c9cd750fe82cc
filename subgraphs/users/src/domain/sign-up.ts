/**
 * Signing up must not tell anyone whether an address has an account: the
 * answer is always this acknowledgement, and only the address's owner learns
 * more (a verification token for a new account, a notice for an existing one).
 */
export const SIGN_UP_TOKEN_TTL_HOURS = 24;
/** pending sign-ups one address may have within the token's lifetime; more are acknowledged but not mailed */
export const PENDING_SIGN_UPS_PER_EMAIL = 5;
/** an address that already has an account is told of sign-up attempts at most once in this time */
export const SIGN_UP_NOTICE_INTERVAL_MS = 3600_000;

export const signUpAcknowledgement = (email: string) => ({
  accepted: true,
  email,
  message: `check ${email} for a message to finish signing up`,
});
