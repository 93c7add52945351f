export { createGrpcServer, type GrpcCallContext, type GrpcImplementation, type GrpcServer, type GrpcServerOptions } from './server.ts';
export {
  createGrpcClient,
  unary,
  type GrpcClientConstructor,
  type GrpcClientOptions,
  type RequestOf,
  type ResponseOf,
  type UnaryMethodName,
  type UnaryOptions,
} from './client.ts';
export { appErrorOf, isServiceError, statusOfError } from './errors.ts';
