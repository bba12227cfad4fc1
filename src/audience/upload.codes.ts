/**
 * Per-record result codes of the upload and subscribe APIs, the source product's numbers (its
 * "api-errors" page) so that existing client code that branches on them keeps working.
 * docs/audience.md has the table with the situations that produce each code.
 */
export const UploadCode = {
  /** Event record without `evtName`. */
  EVENT_NAME_MISSING: 509,
  /** Malformed record: `profileData`/`evtData` not an object, bad key or value in an event, unsupported subscribe type or status. */
  INVALID_STRUCTURE: 512,
  /** Event name reserved for events the system records itself. */
  RESTRICTED_EVENT: 513,
  /** `Gender` not one of M, F, O, U. */
  INVALID_GENDER: 514,
  /** `Email` not an email address. */
  INVALID_EMAIL: 515,
  /** `Phone` (or a subscribe `value`) not a valid phone number. */
  INVALID_PHONE: 516,
  /** `Employed` not Y or N. */
  INVALID_EMPLOYED: 517,
  /** `Education` not School, College or Graduate. */
  INVALID_EDUCATION: 518,
  /** `Married` not Y or N. */
  INVALID_MARRIED: 519,
  /** `Age` not a whole number from 0 to 150. */
  INVALID_AGE: 520,
  /** More event properties than allowed. */
  EVENT_PROPERTIES_LIMIT: 522,
  /** No `identity` (or `objectId`). */
  MISSING_IDENTITY: 523,
  /** `type` is neither `profile` nor `event`. */
  NOT_EVENT_OR_PROFILE: 524,
  /** `ts` is not epoch seconds. */
  INVALID_TS: 525,
  /** `objectId` given but not a non-empty string. */
  INVALID_OBJECT_ID: 526,
  /** Anything else about a profile: key or value limits, unknown operator, wrong operand. */
  MISCELLANEOUS: 555,
} as const;

export type UploadCodeValue = (typeof UploadCode)[keyof typeof UploadCode];

/** Why one record was refused. */
export interface RecordFailure {
  code: UploadCodeValue;
  error: string;
}

export const failure = (code: UploadCodeValue, error: string): RecordFailure => ({ code, error });
