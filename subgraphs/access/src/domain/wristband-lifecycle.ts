import { checkTransition, type TransitionCheck, type Transitions } from '@eventgraph/runtime';

export const WRISTBAND_STATUSES = ['ACTIVE', 'SUSPENDED', 'LOST', 'REVOKED', 'REPLACED'] as const;
export type WristbandStatus = (typeof WRISTBAND_STATUSES)[number];

/**
 * active ⇄ suspended; active or suspended → lost or revoked; lost → active (found) or revoked.
 * REPLACED is reached only by replacing the wristband (a new one takes over), and like REVOKED it is final.
 */
export const WRISTBAND_TRANSITIONS: Transitions<WristbandStatus> = {
  ACTIVE: ['SUSPENDED', 'LOST', 'REVOKED', 'REPLACED'],
  SUSPENDED: ['ACTIVE', 'LOST', 'REVOKED', 'REPLACED'],
  LOST: ['ACTIVE', 'REVOKED', 'REPLACED'],
  REVOKED: [],
  REPLACED: [],
};

/** A status change asked for directly (setWristbandStatus). */
export function checkWristbandStatusChange(from: WristbandStatus, to: WristbandStatus): TransitionCheck {
  if (to === 'REPLACED' && from !== 'REPLACED')
    return { ok: false, code: 'ILLEGAL_TRANSITION', message: 'a wristband becomes REPLACED only by replaceWristband' };
  return checkTransition('wristband', WRISTBAND_TRANSITIONS, from, to);
}

/** Can a wristband in this status be replaced by a new one? (not once revoked or already replaced) */
export const checkWristbandReplacement = (from: WristbandStatus): TransitionCheck =>
  from === 'REPLACED'
    ? { ok: false, code: 'ILLEGAL_TRANSITION', message: 'the wristband was replaced already; replace its replacement' }
    : checkTransition('wristband', WRISTBAND_TRANSITIONS, from, 'REPLACED');
