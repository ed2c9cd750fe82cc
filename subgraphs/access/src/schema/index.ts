import { builder } from '../builder';
import './event';
import './gate';
import './series';
import './wristband';
import './check-in';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
