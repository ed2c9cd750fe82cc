import { builder } from '../builder';
import './event';
import './gate';
import './series';
import './category-limit';
import './recurring-series';
import './wristband';
import './wristband-assignment';
import './ticket';
import './imports';
import './check-in';
import './series-metrics';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.9' });
