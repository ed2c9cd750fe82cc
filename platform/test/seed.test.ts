import { seedDemo } from '../src/seed';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform?.stop());

it('loads the demo organisation once, across all four subgraphs', async () => {
  const first = await seedDemo((query, variables) => platform.data(query, variables));
  expect(first.created).toBe(true);
  const again = await seedDemo((query, variables) => platform.data(query, variables));
  expect(again).toEqual({ organizationId: first.organizationId, created: false });

  const { organization } = await platform.data(
    `query($id: ID!) { organization(id: $id) { name venues { name } events(first: 5) { edges { node { title status series { name gates { name } } gates { name } sources { name } } } } } }`,
    { id: first.organizationId },
  );
  expect(organization.name).toBe('Northern Lights Festival');
  expect(organization.venues).toHaveLength(2);
  const events = organization.events.edges.map((e: { node: unknown }) => e.node);
  expect(events.map((e: { status: string }) => e.status)).toEqual(['PUBLISHED', 'PUBLISHED', 'PUBLISHED']);
  const festival = events[0];
  expect(festival.series.map((s: { name: string }) => s.name)).toEqual(['Day 1', 'Day 2', 'Day 3']);
  expect(festival.gates.map((g: { name: string }) => g.name).sort()).toEqual(['Exit', 'Main', 'VIP']);
  expect(events.flatMap((e: { sources: unknown[] }) => e.sources)).toEqual([{ name: 'Hamburg city listings' }]);
});
