// What the client reads from the gateway. The client stands alone (it imports nothing from the
// libs), so these mirror the fields it uses of the contracts in libs/contracts and the services'
// HTTP schemas; the browser e2e checks them against the real services.

export interface Member {
  userId: string;
  role: 'admin' | 'member';
  joinedAt: string;
}

export interface Conversation {
  id: string;
  kind: 'direct' | 'group';
  title: string | null;
  ownerId: string;
  createdAt: string;
  members: Member[];
}

export interface Message {
  id: string;
  conversationId: string;
  sender: { kind: 'user' | 'bot' | 'system'; id: string };
  text: string;
  clientMessageId: string | null;
  ref: { kind: 'story' | 'call'; id: string } | null;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

/** `GET /api/chat/conversations` items. */
export interface ConversationSummary extends Conversation {
  lastMessage: Message | null;
  unreadCount: number;
}

export interface Receipt {
  userId: string;
  lastReadMessageId: string | null;
  readAt: string | null;
}

export type CallState =
  'ringing' | 'active' | 'ended' | 'failed' | 'declined' | 'missed' | 'cancelled';

export interface Call {
  id: string;
  conversationId: string;
  callerId: string;
  inviteeIds: string[];
  state: CallState;
  acceptedBy: string | null;
  createdAt: string;
  ringsUntil: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
}

export type Signal =
  | { type: 'offer'; sdp: string }
  | { type: 'answer'; sdp: string }
  | {
      type: 'ice-candidate';
      candidate: string;
      sdpMid?: string | null;
      sdpMLineIndex?: number | null;
    };

/** `push.calls.signal.v1`: a signal another participant sent me. */
export interface CallSignal {
  callId: string;
  fromUserId: string;
  toUserId: string;
  signal: Signal;
  sentAt: string;
}

export interface Story {
  id: string;
  authorId: string;
  text: string | null;
  media: { url: string; mime: string; width: number; height: number } | null;
  visibility: 'contacts' | 'close-friends';
  createdAt: string;
  expiresAt: string;
}

export interface FeedGroup {
  authorId: string;
  stories: (Story & { viewed: boolean })[];
  hasUnseen: boolean;
}

export interface MyStory extends Story {
  viewCount: number;
}

/** Frames the gateway sends on `/ws`. */
export type ServerFrame =
  | { type: 'ready'; cursor: string; data: { userId: string; replayed: number } }
  | { type: 'event'; cursor: string; subject: string; data: unknown }
  | { type: 'push'; cursor: string; subject: string; data: CallSignal }
  | { type: 'reset'; cursor: string }
  | { type: 'heartbeat'; cursor: string }
  | { type: 'ack'; id: string; data: { sentAt: string } }
  | { type: 'error'; id?: string; data: { code: string; message: string } };
