/**
 * How far a source's facts are believed, 0..100. Decides which source's field survives in a canonical event and
 * whether its events may skip moderation. The API exposes the names.
 */
export const TRUST_LEVELS = { UNVERIFIED: 25, STANDARD: 50, TRUSTED: 75, OFFICIAL: 100 } as const;
export type TrustLevel = keyof typeof TRUST_LEVELS;
