import { builder } from '../builder';
import './user';
import './session';
import './sign-up';
import './caller';
import './organization';
import './membership';
import './membership-lists';
import './partner-app';
import './api-key';
import './device';
import './rsvp';
import './follow';
import './feed';
import './webhook';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.9' });
