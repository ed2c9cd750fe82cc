import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { PrincipalKind } from '@eventgraph/runtime';
import type { OperationLimits } from './operation-limits';

export const CALLER_KINDS = ['anonymous', 'user', 'apiKey', 'device', 'service'] as const satisfies readonly PrincipalKind[];

/** The limits one kind of caller may be given instead of the defaults. */
const callerLimits = z
  .object({
    maxCost: z.number().int().positive(),
    maxDepth: z.number().int().positive(),
    maxAliases: z.number().int().min(0),
    maxDirectives: z.number().int().min(0),
  })
  .partial()
  .strict();
export type CallerLimits = z.infer<typeof callerLimits>;

/** The file EVENTGRAPH_OPERATION_LIMITS_FILE names: the defaults for everyone, then per kind of caller. */
export const limitsFile = callerLimits
  .extend({
    maxTokens: z.number().int().positive(),
    defaultListSize: z.number().int().min(0),
    byCaller: z.object(Object.fromEntries(CALLER_KINDS.map((kind) => [kind, callerLimits.optional()]))).strict(),
  })
  .partial()
  .strict();

const envName = (kind: PrincipalKind): `EVENTGRAPH_MAX_COST_${string}` =>
  `EVENTGRAPH_MAX_COST_${kind.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

const maxCost = z.coerce.number().int().positive().optional();

/** Settings (gateway/src/settings.ts) that configure the operation limits without code. */
export const operationLimitSettings = {
  /** a JSON file of operation limits (README "Operation limits"); the variables below override it */
  EVENTGRAPH_OPERATION_LIMITS_FILE: z.string().min(1).optional(),
  /** the largest estimated cost of an operation, for every caller */
  EVENTGRAPH_MAX_COST: maxCost,
  /** … and per kind of caller */
  EVENTGRAPH_MAX_COST_ANONYMOUS: maxCost,
  EVENTGRAPH_MAX_COST_USER: maxCost,
  EVENTGRAPH_MAX_COST_API_KEY: maxCost,
  EVENTGRAPH_MAX_COST_DEVICE: maxCost,
  EVENTGRAPH_MAX_COST_SERVICE: maxCost,
} satisfies Record<string, z.ZodType>;

/**
 * The operation limits configured by the environment: the file first, then the
 * EVENTGRAPH_MAX_COST variables over it. Throws with the reason when the file
 * cannot be read or is not valid, so a gateway does not start on a typo.
 */
export function operationLimitsFromEnv(env: Record<string, string | undefined> = process.env): Partial<OperationLimits> {
  const settings = z.object(operationLimitSettings).parse(env);
  let configured: z.infer<typeof limitsFile> = {};
  const path = settings.EVENTGRAPH_OPERATION_LIMITS_FILE;
  if (path) {
    const parsed = limitsFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}`);
    configured = parsed.data;
  }
  const { byCaller = {}, ...defaults } = configured;
  const perKind: Partial<Record<PrincipalKind, CallerLimits>> = { ...byCaller };
  for (const kind of CALLER_KINDS) {
    const own = (settings as Record<string, number | string | undefined>)[envName(kind)] as number | undefined;
    if (own !== undefined) perKind[kind] = { ...perKind[kind], maxCost: own };
  }
  const everyone = settings.EVENTGRAPH_MAX_COST;
  return { ...defaults, ...(everyone !== undefined && { maxCost: everyone }), byCaller: perKind };
}
