import { confirmsDeletion, ERASING_SUBGRAPHS, organisationsNeedingHandover, receiptStatus } from '../src/domain/privacy';

describe('deleting an account', () => {
  it('is confirmed by the account’s own address, in any case and with spaces around', () => {
    expect(confirmsDeletion(' Ada@Example.com ', 'ada@example.com')).toBe(true);
    expect(confirmsDeletion('bob@example.com', 'ada@example.com')).toBe(false);
    expect(confirmsDeletion('', 'ada@example.com')).toBe(false);
    expect(confirmsDeletion('yes', 'ada@example.com')).toBe(false);
  });

  it('needs a handover of each organisation the user is the last owner of, and only those', () => {
    const memberships = [
      { organizationId: 'solo', role: 'OWNER' as const },
      { organizationId: 'shared', role: 'OWNER' as const },
      { organizationId: 'member', role: 'ADMIN' as const },
    ];
    const owners = new Map([
      ['solo', 1],
      ['shared', 2],
      ['member', 1],
    ]);
    expect(organisationsNeedingHandover(memberships, owners)).toEqual(['solo']);
    expect(organisationsNeedingHandover([], owners)).toEqual([]);
  });
});

describe('an erasure receipt', () => {
  const at = (s: number) => new Date(Date.UTC(2027, 0, 1, 0, 0, s));

  it('is pending until every subgraph has confirmed, naming those still owed in a fixed order', () => {
    const status = receiptStatus([
      { subgraph: 'ingest', confirmedAt: at(3) },
      { subgraph: 'users', confirmedAt: at(0) },
    ]);
    expect(status).toEqual({ complete: false, pending: ['events', 'access'], completedAt: null });
  });

  it('is complete at the last confirmation', () => {
    const confirmations = ERASING_SUBGRAPHS.map((subgraph, i) => ({ subgraph, confirmedAt: at(10 - i) }));
    expect(receiptStatus(confirmations)).toEqual({ complete: true, pending: [], completedAt: at(10) });
  });

  it('ignores a confirmation from a subgraph it does not wait for', () => {
    expect(receiptStatus([{ subgraph: 'elsewhere', confirmedAt: at(1) }]).pending).toEqual([...ERASING_SUBGRAPHS]);
  });
});
