/** The ScaleBuffer state machine's ARN, given by the stack to the buffer intake. */
export const SCALE_BUFFER_ARN_ENV = 'SHEPHERD_SCALE_BUFFER_STATE_MACHINE_ARN';
