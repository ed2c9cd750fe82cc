/** iCalendar (RFC 5545) generation: pure functions, no GraphQL and no database. */
export { renderCalendar, calendarStatus, eventUid, PRODID, type CalendarEvent, type CalendarInput } from './render';
export { escapeText, foldLine, htmlToText } from './format';
export { vtimezone, transitions, offsetAt, isKnownTimeZone } from './timezones';
