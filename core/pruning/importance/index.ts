export * from './criterion';
export { reduceMembers } from './reductions';
export { criterionByName, criterionNames } from './importance-registry';
export { collectGroupMembers } from './group-members';
export { propagateNisp } from './nisp';
export { requireBatchNorm } from './bn-gamma';
