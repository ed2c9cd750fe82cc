/**
 * A closed state machine: which status may follow which. Subgraph domains
 * declare their lifecycles with it (events, series, fetch runs) and get the
 * same checks and the same error shape.
 */
export type Transitions<S extends string> = Readonly<Record<S, readonly S[]>>;

export type TransitionCheck = { ok: true } | { ok: false; code: 'ILLEGAL_TRANSITION' | 'NO_CHANGE'; message: string };

export function checkTransition<S extends string>(what: string, transitions: Transitions<S>, from: S, to: S): TransitionCheck {
  if (from === to) return { ok: false, code: 'NO_CHANGE', message: `${what} is already ${to}` };
  if (!transitions[from].includes(to)) {
    const allowed = transitions[from];
    return {
      ok: false,
      code: 'ILLEGAL_TRANSITION',
      message: `${what} cannot go from ${from} to ${to}${allowed.length ? `; allowed: ${allowed.join(', ')}` : ` (${from} is final)`}`,
    };
  }
  return { ok: true };
}
