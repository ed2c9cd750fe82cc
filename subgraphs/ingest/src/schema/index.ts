import { builder } from '../builder';
import './event';
import './source';
import './fetch-run';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
