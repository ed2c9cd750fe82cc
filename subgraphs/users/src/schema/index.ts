import { builder } from '../builder';
import './user';
import './session';
import './caller';
import './organization';
import './membership';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
