/** Who does what to which call: the input of the accept, decline and cancel use cases. */
export interface CallActionInput {
  callId: string;
  userId: string;
}
