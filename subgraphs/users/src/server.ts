import { startFromEnvironment } from '@eventgraph/runtime';
import { usersSubgraph } from './index';

startFromEnvironment(usersSubgraph, 4001);
