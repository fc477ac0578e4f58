export { Allocator, type AllocateResult, type AssignResult, type Cleared, type SetPoolsResult } from './allocator.js';
export { isOurs, type ServiceClass } from './ownership.js';
export { comparePinned, familyPlan, planFamilies, poolRefuses, type FamilyPlan } from './policy.js';
export { reasonMessage, type AllocationReason, type AllocationReasonType, type SharingConflict } from './reasons.js';
export { backendKey } from './sharing.js';
export {
  saturate,
  type AllocService,
  type Allocation,
  type IPFamilyPolicy,
  type PoolCounts,
  type PoolStats,
  type Protocol,
  type ServicePort,
  type TrafficPolicy,
} from './types.js';
