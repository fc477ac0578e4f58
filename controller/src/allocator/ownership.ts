// The one reading of "is this Service ours?" lives in shared, used by the speaker too.
export { isOurs, type ServiceClass } from '@herald/shared/api';
