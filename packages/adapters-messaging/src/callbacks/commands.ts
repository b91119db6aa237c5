/** From a callback fact to the core command for one contact (R-CON-2..5). */
import type { ContactCommand } from '@contactable/core';
import { normaliseAddress } from '../addresses.js';
import type { CallbackFact } from './types.js';

/** The command recording a fact about one contact; the address is normalised so the decider can tell it is the detail held. */
export const commandFor = (provider: string, fact: CallbackFact, contactId: string): ContactCommand => {
  const address = normaliseAddress(fact.channel, fact.address);
  const feedback = { contactId, address, provider, feedbackId: fact.feedbackId, providerMessageId: fact.providerMessageId, observedAt: fact.observedAt };
  switch (fact.kind) {
    case 'delivered':
      return { type: 'RecordDeliverySuccess', channel: fact.channel, ...feedback };
    case 'failed':
      return { type: 'RecordDeliveryFailure', channel: fact.channel, permanent: fact.permanent, detail: fact.detail, ...feedback };
    case 'complaint':
      return { type: 'RecordSpamComplaint', ...feedback };
    case 'opted-out':
      return { type: 'OptOut', contactId, via: fact.via, feedback: { provider, feedbackId: fact.feedbackId, observedAt: fact.observedAt } };
    case 'opted-in':
      return { type: 'OptIn', contactId, via: fact.via, feedback: { provider, feedbackId: fact.feedbackId, observedAt: fact.observedAt } };
  }
};

/** A deterministic command id: the same callback fact for the same contact always writes the same event ids. */
export const commandIdFor = (provider: string, fact: CallbackFact, contactId: string): string =>
  `callback:${provider}:${fact.kind}:${fact.feedbackId}:${contactId}`;

/** Why the event was recorded, in words (R-AUD-1); it may quote the provider's text, so it is sealed as personal data. */
export const reasonFor = (provider: string, fact: CallbackFact): string => {
  switch (fact.kind) {
    case 'delivered':
      return `${provider} reported the ${fact.channel === 'email' ? 'email' : 'text'} delivered`;
    case 'failed':
      return `${provider} reported a ${fact.permanent ? 'permanent' : 'temporary'} delivery failure${fact.detail !== null ? ` (${fact.detail})` : ''}`;
    case 'complaint':
      return `${provider} reported a spam complaint`;
    case 'opted-out':
      return fact.via === 'sms-reply' ? `text reply asking to stop, via ${provider}` : `unsubscribed through ${provider}`;
    case 'opted-in':
      return `text reply asking to start again, via ${provider}`;
  }
};

/** The non-personal code kept in the clear beside the (sealed) reason: what kind of callback fact it was. */
export const reasonCodeFor = (fact: CallbackFact): string => {
  switch (fact.kind) {
    case 'delivered':
      return 'delivered';
    case 'failed':
      return fact.permanent ? 'bounce' : 'delivery-delayed';
    case 'complaint':
      return 'spam-complaint';
    case 'opted-out':
      return fact.via === 'sms-reply' ? 'sms-stop' : 'unsubscribe';
    case 'opted-in':
      return 'sms-start';
  }
};
