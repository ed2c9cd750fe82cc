export * from './private-addresses';
export * from './guarded-lookup';
export * from './origins';
