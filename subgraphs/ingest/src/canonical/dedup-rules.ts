/**
 * The pure deduplication rules staging applies (blocking, matching, survivorship, quality, moderation on arrival),
 * all from the dedup domain: the one place the database side names them.
 */
export {
  blockingFor,
  chooseCanonical,
  dedupSettingsFromEnv,
  moderationOnArrival,
  qualityScore,
  surviveFields,
  TRUST_LEVELS,
  type CanonicalCandidate,
  type DedupSettings,
} from '../domain/dedup';
