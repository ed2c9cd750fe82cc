import { builder } from '../builder';
import './event';
import './source';
import './source-mutations';
import './fetch-run';
import './source-record';
import './canonical-event';
import './moderation';
import './privacy-export';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.9' });
