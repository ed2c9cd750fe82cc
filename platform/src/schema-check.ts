import { Supergraph } from '@apollo/federation-internals';
import {
  findBreakingChanges,
  findDangerousChanges,
  type BreakingChange,
  type DangerousChange,
  type GraphQLSchema,
} from 'graphql';

/**
 * Schema checks: the composed API schema (what clients see) against the last released one. A breaking change
 * (graphql-js `findBreakingChanges`: a field or type removed, a type changed, a required argument added, …)
 * fails the check unless the team accepted it, with a reason, in schema/accepted-changes.json.
 */

/** One accepted breaking change: `change` is the description the check prints, word for word. */
export interface AcceptedChange {
  change: string;
  reason: string;
}

export interface SchemaChange {
  type: string;
  description: string;
}

export interface SchemaCheckResult {
  /** breaking changes nobody accepted: the check fails when there is one */
  breaking: SchemaChange[];
  /** breaking changes listed in the accepted-changes file, with the reason given there */
  accepted: Array<SchemaChange & { reason: string }>;
  /** changes that may alter what existing clients get (a value added to an enum, a default changed): warnings */
  dangerous: SchemaChange[];
  /** accepted entries that match no change any more (already released, or mistyped) */
  unusedAcceptances: AcceptedChange[];
}

/**
 * The schema clients see: the supergraph without federation's machinery and @inaccessible elements, with @defer
 * as the gateway serves it (gateway/src/execution/query-executor.ts), so dropping @defer is a breaking change.
 */
export const apiSchemaOf = (supergraphSdl: string): GraphQLSchema =>
  Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema({ includeDefer: true });

const asChange = ({ type, description }: BreakingChange | DangerousChange): SchemaChange => ({ type, description });

export function checkSchema(
  released: GraphQLSchema,
  current: GraphQLSchema,
  acceptances: readonly AcceptedChange[],
): SchemaCheckResult {
  const reasons = new Map(acceptances.map((a) => [a.change, a.reason]));
  const result: SchemaCheckResult = { breaking: [], accepted: [], dangerous: [], unusedAcceptances: [] };
  const used = new Set<string>();
  for (const change of findBreakingChanges(released, current).map(asChange)) {
    const reason = reasons.get(change.description);
    if (reason === undefined) result.breaking.push(change);
    else {
      result.accepted.push({ ...change, reason });
      used.add(change.description);
    }
  }
  result.dangerous = findDangerousChanges(released, current).map(asChange);
  result.unusedAcceptances = acceptances.filter((a) => !used.has(a.change));
  return result;
}

/** Reads schema/accepted-changes.json's content; every entry needs the change's description and a reason. */
export function parseAcceptances(json: string): AcceptedChange[] {
  const entries: unknown = JSON.parse(json);
  if (!Array.isArray(entries)) throw new Error('accepted changes: expected a JSON array of { "change", "reason" }');
  return entries.map((entry: unknown, i) => {
    const { change, reason } = (entry ?? {}) as Partial<Record<'change' | 'reason', unknown>>;
    if (typeof change !== 'string' || !change.trim())
      throw new Error(`accepted changes [${i}]: "change" must name the change as the check prints it`);
    if (typeof reason !== 'string' || !reason.trim())
      throw new Error(`accepted changes [${i}] (${change}): "reason" is required`);
    return { change, reason };
  });
}

/** The report the check prints, one line per change; `failed` when a breaking change is not accepted. */
export function formatReport(result: SchemaCheckResult): { lines: string[]; failed: boolean } {
  const lines: string[] = [];
  for (const c of result.breaking) lines.push(`BREAKING ${c.type}: ${c.description}`);
  for (const c of result.accepted) lines.push(`accepted ${c.type}: ${c.description} (${c.reason})`);
  for (const c of result.dangerous) lines.push(`warning ${c.type}: ${c.description}`);
  for (const a of result.unusedAcceptances) lines.push(`warning: accepted change matches nothing (remove it): ${a.change}`);
  return { lines, failed: result.breaking.length > 0 };
}
