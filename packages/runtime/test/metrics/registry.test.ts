import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundedLabel, Counter, createMetricsRegistry, sendMetrics } from '../../src';

describe('createMetricsRegistry', () => {
  it('keeps each service apart in one process, each series labelled with its service', async () => {
    const users = createMetricsRegistry('users', { processMetrics: false });
    const events = createMetricsRegistry('events', { processMetrics: false });
    new Counter({ name: 'eventgraph_test_total', help: 'test', registers: [users] }).inc(2);
    new Counter({ name: 'eventgraph_test_total', help: 'test', registers: [events] }).inc(5);
    expect(await users.metrics()).toContain('eventgraph_test_total{service="users"} 2');
    expect(await events.metrics()).toContain('eventgraph_test_total{service="events"} 5');
    expect(await users.metrics()).not.toContain('process_cpu');
  });

  it('collects process metrics unless told not to', async () => {
    const registry = createMetricsRegistry('gateway');
    expect(await registry.metrics()).toMatch(/process_cpu_user_seconds_total\{service="gateway"\}/);
  });
});

describe('sendMetrics', () => {
  it('serves the text exposition over HTTP with its content type', async () => {
    const registry = createMetricsRegistry('access', { processMetrics: false });
    new Counter({ name: 'eventgraph_scrapes_total', help: 'test', registers: [registry] }).inc();
    const server = createServer((_req, res) => void sendMetrics(registry, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('eventgraph_scrapes_total{service="access"} 1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('boundedLabel', () => {
  it('passes GraphQL names, names anonymous operations and caps the distinct values', () => {
    const label = boundedLabel(2);
    expect(label('EventPage')).toBe('EventPage');
    expect(label(undefined)).toBe('anonymous');
    expect(label('not a name; drop table')).toBe('other');
    expect(label('Second')).toBe('Second');
    expect(label('Third')).toBe('other');
    expect(label('EventPage')).toBe('EventPage');
  });
});
