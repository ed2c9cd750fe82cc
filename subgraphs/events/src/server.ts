import { startFromEnvironment } from '@eventgraph/runtime';
import { eventsSubgraph } from './index';

startFromEnvironment(eventsSubgraph, 4002);
