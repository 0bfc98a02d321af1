/**
 * The cross-provider rules of the event contract, written once and rendered into docs/events.md and
 * docs/providers.md (the README states the soft-bounce rule in one line and links here).
 */

/** What `bounced` and `deferred` mean, whichever provider reported the event. */
export const SOFT_BOUNCE_RULE = `### Bounces and delays

- \`bounced\` means the provider gave up on the address: a hard bounce (or the provider's equivalent). The default
  \`suppression\` route matches these, with complaints.
- A soft or temporary bounce (mailbox full, greylisting, a provider's temporary \`failed\`, a soft bounce reported
  once the provider stopped retrying the message) is \`deferred\` with \`rejectReason: "bounced"\`: the address is
  still good, so it must not be suppressed.
- Any other delay is \`deferred\` with the provider's reason when it gives one (for example \`blocked\` for a
  provider's temporary suspension of a recipient), else \`rejectReason: null\`.`;

/** Which SendGrid identifier becomes `messageId`. */
export const SENDGRID_MESSAGE_ID_RULE = `### SendGrid \`messageId\`

SendGrid's \`smtp-id\` comes only with the events of its MTA (processed, deferred, delivered, bounce, dropped), so it
cannot join an open or a click to its delivery. Every SendGrid event carries \`sg_message_id\`, which starts with the
\`X-Message-Id\` header that SendGrid's send API (\`POST /v3/mail/send\`) returned, followed by \`.filter...\` or
\`.recvd...\` on most events. Hookguard's \`messageId\` is that \`X-Message-Id\`: the part of \`sg_message_id\` before
\`.filter\`/\`.recvd\` (or all of it when there is no such part). A few \`dropped\` events carry only the filter part;
their \`messageId\` comes from the \`smtp-id\` SendGrid generated (\`<X-Message-Id@ismtpd...>\`), else it is null. One
API request sent to several recipients shares one \`X-Message-Id\`: \`recipient\` tells its messages apart.
Source: SendGrid's glossary entry "X-Message-ID" and its support article on filtering the activity feed by X-Message-ID
(\`msg_id LIKE '<X-Message-ID>%'\`).`;
