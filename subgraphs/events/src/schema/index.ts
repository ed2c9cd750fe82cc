import { builder } from '../builder';
import './organization';
import './venue';
import './event';
import './event-lists';
import './search';
import './saved-search';
import './calendar';
import './enrichment';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.9' });
