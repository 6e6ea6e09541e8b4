/**
 * Thrift's wire type codes and message types (TBinaryProtocol). Declared here rather than taken from
 * `Thrift.Type` in @types/thrift: those are ambient enums, which isolatedModules cannot inline.
 */
export const TType = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
} as const;

export const MessageType = {
  CALL: 1,
  REPLY: 2,
  EXCEPTION: 3,
  ONEWAY: 4,
} as const;

/** TApplicationException.type values a client may meet (thrift.js TApplicationExceptionType). */
export const ApplicationErrorType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
} as const;
