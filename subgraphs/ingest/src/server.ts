import { startFromEnvironment } from '@eventgraph/runtime';
import { ingestSubgraph } from './index';

startFromEnvironment(ingestSubgraph, 4004);
