export * from './http-fetch';
export * from './rate-gate';
export * from './settings';
