import { parseOriginList } from '../src/cors';
import { loadGatewaySettings } from '../src/settings';

describe('EVENTGRAPH_CORS_ORIGINS', () => {
  it('lists the platform’s origins as browsers send them, each once', () => {
    expect(loadGatewaySettings({ EVENTGRAPH_CORS_ORIGINS: undefined }).EVENTGRAPH_CORS_ORIGINS).toEqual([]);
    expect(
      loadGatewaySettings({
        EVENTGRAPH_CORS_ORIGINS: ' https://app.example.com , http://localhost:5173,https://app.example.com:443',
      }).EVENTGRAPH_CORS_ORIGINS,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('stops the start on anything that is not an origin, naming the setting', () => {
    for (const bad of ['https://app.example.com/', 'https://*.example.com', '*', 'app.example.com', 'https://a@b.example']) {
      expect(() => parseOriginList(bad)).toThrow();
      expect(() => loadGatewaySettings({ EVENTGRAPH_CORS_ORIGINS: bad })).toThrow(/EVENTGRAPH_CORS_ORIGINS/);
    }
  });
});
