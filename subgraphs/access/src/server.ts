import { startFromEnvironment } from '@eventgraph/runtime';
import { accessSubgraph } from './index';

startFromEnvironment(accessSubgraph, 4003);
