export { githubWebhookReceiver } from './github/github-webhook.receiver.js';
export { startReactionPoller } from './github/reaction-poller.service.js';
export { codeReviewIngestRoutes } from './json/code-review-ingest.routes.js';
export { ingestCodeReviewEvents } from './json/code-review-events.service.js';
