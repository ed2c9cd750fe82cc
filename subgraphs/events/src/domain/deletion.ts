/** An event that others depend on (series, tickets) is archived instead: its history must stay. */
export function deletionProblem(dependents: { kind: string }[]): string | null {
  if (dependents.length === 0) return null;
  const kinds = [...new Set(dependents.map((d) => d.kind))].join(' and ');
  return `the event has ${kinds}; archive it instead`;
}
