// The gateway as a program: serves any supergraph file it is given.
//   tsx gateway/src/main.ts --supergraph gateway/supergraph.graphql [--port 4000]
import { parseArgs } from 'node:util';
import { runGatewayProgram } from './program';

const { values } = parseArgs({ options: { supergraph: { type: 'string' }, port: { type: 'string' } } });
void runGatewayProgram(values);
