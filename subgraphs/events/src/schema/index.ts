import { builder } from '../builder';
import './organization';
import './venue';
import './venue-hours';
import './venue-status';
import './event';
import './event-contact';
import './event-inputs';
import './event-mutations';
import './event-change';
import './event-lists';
import './search';
import './trending';
import './saved-search';
import './calendar';
import './enrichment';
import './privacy-export';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.9' });
