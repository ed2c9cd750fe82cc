/**
 * Stock @apollo/gateway behind @apollo/server's standalone server, with their defaults: the
 * baseline the issue measures against. Forked by run.ts with the supergraph; answers with its URL.
 */
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

if (require.main === module && process.send) {
  process.once('message', (supergraphSdl: string) => {
    void (async () => {
      const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
      const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
      process.send!({ type: 'result', result: { url } });
    })().catch((err: unknown) => process.send!({ type: 'error', message: String(err) }));
  });
}
