export { LimitErrorCode } from './errors';
export { DEFAULT_LIMITS, checkOperationLimits, resolveLimits, type OperationLimits } from './operation-limits';
export { parseWithLimits, countTokens } from './tokens';
export { estimateCost, type CostOptions } from './cost';
export { operationLimitsPlugin, limitsParseOptions } from './apollo-plugin';
export { parseAndCheckOperation, type CheckedOperation, type OperationRequest } from './subscriptions';
