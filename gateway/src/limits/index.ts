export { LimitErrorCode } from './errors';
export { DEFAULT_LIMITS, checkOperationLimits, limitsForCaller, resolveLimits, type OperationLimits } from './operation-limits';
export { parseWithLimits, countTokens } from './tokens';
export { analyzeCost, estimateCost, type CostEstimate, type CostOptions } from './cost';
export { readCostDirectives, type CostDirectives, type ListSize } from './cost-directives';
export { operationLimitsFromEnv, operationLimitSettings, CALLER_KINDS, type CallerLimits } from './limits-config';
export { operationLimitsPlugin, limitsParseOptions } from './apollo-plugin';
export { parseAndCheckOperation, type CheckedOperation, type OperationRequest } from './subscriptions';
