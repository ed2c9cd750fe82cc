/**
 * The check-in decision, as one pure evaluation over facts gathered by the
 * caller. Denials come from a closed, documented set of reasons (in the manner
 * of pretix's check-in), evaluated in a fixed order so the same facts always
 * give the same answer.
 */
export const DENIAL_REASONS = {
  DEVICE_NOT_ALLOWED: 'this scanner is not allowed at this gate',
  UNKNOWN_WRISTBAND: 'no wristband with this NFC id exists for the event',
  WRISTBAND_NOT_ACTIVE: 'the wristband is suspended, lost, revoked or replaced',
  SERIES_NOT_ACTIVE: 'the series is not open for check-in',
  WRISTBAND_NOT_ASSIGNED: 'the wristband is not assigned to this series',
  GATE_NOT_ASSIGNED: 'the gate does not serve this series',
  WRONG_DIRECTION: 'the gate does not accept scans in this direction',
  ALREADY_INSIDE: 'the wristband is already inside',
  NOT_INSIDE: 'the wristband cannot exit: it is not inside',
  CAPACITY_REACHED: 'the series is at capacity',
} as const;

export type DenialReason = keyof typeof DENIAL_REASONS;
export type Direction = 'ENTRY' | 'EXIT';

export interface CheckInFacts {
  direction: Direction;
  /** false when a scanner device scans at a gate it is not registered for */
  deviceAllowed: boolean;
  wristband: { status: string } | null;
  series: { status: string; capacity: number };
  gate: { direction: 'ENTRY' | 'EXIT' | 'BOTH' };
  wristbandAssigned: boolean;
  gateAssigned: boolean;
  /** is this wristband inside right now (its last allowed scan was an entry)? */
  inside: boolean;
  /** how many wristbands are inside the series right now */
  insideCount: number;
}

export type CheckInDecision = { allowed: true } | { allowed: false; reason: DenialReason; message: string };

const deny = (reason: DenialReason): CheckInDecision => ({ allowed: false, reason, message: DENIAL_REASONS[reason] });

export function decideCheckIn(facts: CheckInFacts): CheckInDecision {
  if (!facts.deviceAllowed) return deny('DEVICE_NOT_ALLOWED');
  if (!facts.wristband) return deny('UNKNOWN_WRISTBAND');
  if (facts.wristband.status !== 'ACTIVE') return deny('WRISTBAND_NOT_ACTIVE');
  if (facts.series.status !== 'ACTIVE') return deny('SERIES_NOT_ACTIVE');
  if (!facts.wristbandAssigned) return deny('WRISTBAND_NOT_ASSIGNED');
  if (!facts.gateAssigned) return deny('GATE_NOT_ASSIGNED');
  if (facts.gate.direction !== 'BOTH' && facts.gate.direction !== facts.direction) return deny('WRONG_DIRECTION');
  if (facts.direction === 'ENTRY') {
    if (facts.inside) return deny('ALREADY_INSIDE');
    if (facts.insideCount >= facts.series.capacity) return deny('CAPACITY_REACHED');
  } else if (!facts.inside) {
    return deny('NOT_INSIDE');
  }
  return { allowed: true };
}
