import type { SlackReply } from './messages.ts';

export interface SlackFollowUp {
  /** What the answer is waiting for, e.g. `rca#<id>`. */
  subject: string;
  responseUrl: string;
  userId: string;
}

/**
 * A Slack answer that arrives later (an RCA report): stored when the command is accepted, claimed
 * exactly once when the awaited event arrives.
 */
export interface SlackFollowUps {
  add(followUp: SlackFollowUp, now: Date): Promise<void>;
  /** The follow-ups waiting for `subject`, each returned to exactly one caller. */
  claim(subject: string, now: Date): Promise<SlackFollowUp[]>;
  /** True for the first caller only (per subject, for a day): a redelivered event posts nothing twice. */
  once(subject: string, now: Date): Promise<boolean>;
  /** Gives a `once` back after a failed post, so the retry posts it. */
  forget(subject: string): Promise<void>;
}

/** Posts a delayed answer to a `response_url`, only ever to the configured Slack hosts. */
export interface SlackResponseUrls {
  isAllowed(responseUrl: string): boolean;
  post(responseUrl: string, reply: SlackReply): Promise<void>;
}
