import { join } from 'node:path';

/** The four subgraphs, in the order the launcher starts them, with their default ports. */
export const SUBGRAPHS = [
  { name: 'users', port: 4001 },
  { name: 'events', port: 4002 },
  { name: 'access', port: 4003 },
  { name: 'ingest', port: 4004 },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export const ROOT = join(__dirname, '..');
export const prismaDir = (name: string) => join(ROOT, 'subgraphs', name, 'prisma');
