/**
 * The check-in decision, as one pure evaluation over facts gathered by the
 * caller. Denials come from a closed, documented set of reasons (in the manner
 * of pretix's check-in), evaluated in a fixed order so the same facts always
 * give the same answer.
 */
import { textProblem } from '@eventgraph/runtime';
import { MAX_NFC_ID } from './import-rows';

export const DENIAL_REASONS = {
  DEVICE_NOT_ALLOWED: 'this scanner is not allowed at this gate',
  INVALID_WRISTBAND_ID:
    'the NFC id read cannot be a wristband id (empty, longer than 64 characters, or with characters that cannot be stored)',
  UNKNOWN_WRISTBAND: 'no wristband with this NFC id exists for the event',
  WRISTBAND_NOT_ACTIVE: 'the wristband is suspended, lost, revoked or replaced',
  SERIES_NOT_ACTIVE: 'the series is not open for check-in',
  OUTSIDE_CHECKIN_WINDOW: "the scan is outside the series' check-in window",
  WRISTBAND_NOT_ASSIGNED: 'the wristband is not assigned to this series',
  GATE_NOT_ASSIGNED: 'the gate does not serve this series',
  WRONG_DIRECTION: 'the gate does not accept scans in this direction',
  ALREADY_INSIDE: 'the wristband is already inside',
  ALREADY_USED: 'the series admits each wristband once, and this one has entered already',
  NOT_INSIDE: 'the wristband cannot exit: it is not inside',
  CATEGORY_CAPACITY_REACHED: "the wristband's category is at its limit for this series",
  CAPACITY_REACHED: 'the series is at capacity',
} as const;

export type DenialReason = keyof typeof DENIAL_REASONS;
export type Direction = 'ENTRY' | 'EXIT';
export type EntryRule = 'SINGLE_ENTRY' | 'REENTRY' | 'UNLIMITED';

export interface Presence {
  inside: boolean;
  /** allowed entries so far */
  entries: number;
}

export interface CheckInFacts {
  direction: Direction;
  scannedAt: Date;
  /** made offline and uploaded later: the series may have completed since, so only the window counts */
  offline: boolean;
  /** false when a scanner device scans at a gate it is not registered for */
  deviceAllowed: boolean;
  /** false when the NFC id read cannot be any wristband's (see isWristbandId): logged, never looked up */
  wristbandIdValid?: boolean;
  wristband: { status: string } | null;
  series: { status: string; entryRule: EntryRule; checkInOpensAt: Date; checkInClosesAt: Date };
  gate: { direction: 'ENTRY' | 'EXIT' | 'BOTH' };
  wristbandAssigned: boolean;
  gateAssigned: boolean;
  /** the wristband's presence in the series; null before its first allowed scan */
  presence: Presence | null;
  /**
   * Is there room for one more? Known only for an entry that passed every other rule (see
   * `needsRoom`): finding out takes a place, which is given back if the scan is denied after all.
   */
  room?: {
    series: boolean;
    /** null: the wristband's category has no limit of its own in the series */
    category: boolean | null;
  };
}

export type CheckInDecision = { allowed: true } | { allowed: false; reason: DenialReason; message: string };

const deny = (reason: DenialReason): CheckInDecision => ({ allowed: false, reason, message: DENIAL_REASONS[reason] });
const ALLOWED: CheckInDecision = { allowed: true };

/** An unlimited series lets a wristband that is inside in again; that entry takes no more room. */
export const takesRoom = (facts: Pick<CheckInFacts, 'direction' | 'presence'>) =>
  facts.direction === 'ENTRY' && !facts.presence?.inside;

/** Does this scan still need the occupancy facts to be decided? */
export const needsRoom = (facts: CheckInFacts, decision: CheckInDecision) => decision.allowed && takesRoom(facts) && !facts.room;

export function decideCheckIn(facts: CheckInFacts): CheckInDecision {
  if (!facts.deviceAllowed) return deny('DEVICE_NOT_ALLOWED');
  if (facts.wristbandIdValid === false) return deny('INVALID_WRISTBAND_ID');
  if (!facts.wristband) return deny('UNKNOWN_WRISTBAND');
  if (facts.wristband.status !== 'ACTIVE') return deny('WRISTBAND_NOT_ACTIVE');
  const { series } = facts;
  const open = series.status === 'ACTIVE' || (facts.offline && series.status === 'COMPLETED');
  if (!open) return deny('SERIES_NOT_ACTIVE');
  // people may always leave; the window limits who comes in
  if (facts.direction === 'ENTRY' && (facts.scannedAt < series.checkInOpensAt || facts.scannedAt > series.checkInClosesAt))
    return deny('OUTSIDE_CHECKIN_WINDOW');
  if (!facts.wristbandAssigned) return deny('WRISTBAND_NOT_ASSIGNED');
  if (!facts.gateAssigned) return deny('GATE_NOT_ASSIGNED');
  if (facts.gate.direction !== 'BOTH' && facts.gate.direction !== facts.direction) return deny('WRONG_DIRECTION');
  const inside = facts.presence?.inside ?? false;
  if (facts.direction === 'EXIT') return inside ? ALLOWED : deny('NOT_INSIDE');
  if (series.entryRule === 'SINGLE_ENTRY' && (facts.presence?.entries ?? 0) > 0)
    return deny(inside ? 'ALREADY_INSIDE' : 'ALREADY_USED');
  if (series.entryRule === 'REENTRY' && inside) return deny('ALREADY_INSIDE');
  if (!takesRoom(facts) || !facts.room) return ALLOWED;
  if (facts.room.category === false) return deny('CATEGORY_CAPACITY_REACHED');
  if (!facts.room.series) return deny('CAPACITY_REACHED');
  return ALLOWED;
}

/**
 * Could a wristband have this NFC id (trimmed)? Wristbands are created with 1–64 characters that
 * PostgreSQL can store; a scan of anything else (a garbled read, a NUL byte) is denied
 * INVALID_WRISTBAND_ID and logged, rather than refused, since every scan is logged.
 */
export const isWristbandId = (nfcId: string) => nfcId.length > 0 && nfcId.length <= MAX_NFC_ID && !textProblem(nfcId);

/** What an allowed scan changes in the maintained aggregates. */
export interface ScanEffect {
  /** change of the series' (and the category's) inside count */
  insideDelta: -1 | 0 | 1;
  entries: 0 | 1;
  exits: 0 | 1;
  presence: Presence;
}

export function scanEffect(facts: Pick<CheckInFacts, 'direction' | 'presence'>): ScanEffect {
  const before = facts.presence ?? { inside: false, entries: 0 };
  if (facts.direction === 'EXIT')
    return { insideDelta: -1, entries: 0, exits: 1, presence: { inside: false, entries: before.entries } };
  return {
    insideDelta: takesRoom(facts) ? 1 : 0,
    entries: 1,
    exits: 0,
    presence: { inside: true, entries: before.entries + 1 },
  };
}
