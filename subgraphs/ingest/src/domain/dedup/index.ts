/**
 * Deduplication across sources, pure: which canonical event a record belongs to (blocking, similarity, scoring,
 * the moderator's pins and splits), which fields survive, how good the result is, and how it is moderated on
 * arrival. The database side (src/canonical) fetches candidates and applies the decisions.
 */
export {
  blockingFor,
  BLOCKING_WINDOW_HOURS,
  chooseCanonical,
  type CanonicalChoice,
  type MatchDecisions,
  type MatchReason,
} from './choose';
export {
  FLAG_BELOW_QUALITY,
  moderationOnArrival,
  QUALITY_SIGNALS,
  qualityScore,
  type ArrivalModeration,
  type QualitySignal,
} from './quality';
export {
  locationProximity,
  scoreMatch,
  timeProximity,
  UNKNOWN_LOCATION,
  type CanonicalCandidate,
  type MatchExplanation,
} from './score';
export { DEFAULT_DEDUP_SETTINGS, dedupSettingsFromEnv, type DedupSettings } from './settings';
export { titleSimilarity, titleTokens } from './similarity';
export { surviveFields, type CanonicalFields, type SurvivorshipMember } from './survivorship';
export { TRUST_LEVELS, type TrustLevel } from './trust';
