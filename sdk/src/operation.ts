import { getOperationAST, print, type DocumentNode } from 'graphql';

/** A document as the client sends it: its text, its operation name, and its hash when it carries one. */
export interface Operation {
  query: string;
  operationName?: string;
  /** sha256 of `query`, for documents that carry it (`__meta__.hash`) */
  hash?: string;
}

const printed = new WeakMap<DocumentNode, Operation>();

export function operationOf(document: string | DocumentNode): Operation {
  if (typeof document === 'string') return { query: document };
  let op = printed.get(document);
  if (!op) {
    op = { query: print(document) };
    const name = getOperationAST(document)?.name?.value;
    if (name) op.operationName = name;
    const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
    if (typeof hash === 'string') op.hash = hash;
    printed.set(document, op);
  }
  return op;
}
