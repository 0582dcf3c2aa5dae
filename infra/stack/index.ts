export { LocalStack, StackError, type StackStatus, type ServiceStatus } from './local-stack';
export { stackOptionsFromConfig, type StackOptions } from './stack-options';
